package memory

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/frontlinehq/frontline"
)

// SiteStore keeps the widget's per-site settings in memory.
type SiteStore struct {
	mu    sync.RWMutex
	sites map[string]frontline.SiteSettings
	now   func() time.Time
}

var _ frontline.SiteSettingsStore = (*SiteStore)(nil)

// NewSiteStore returns an empty site settings store.
func NewSiteStore() *SiteStore {
	return &SiteStore{sites: map[string]frontline.SiteSettings{}, now: func() time.Time { return time.Now().UTC() }}
}

func cloneSite(s frontline.SiteSettings) *frontline.SiteSettings {
	s.SuggestedArticles = slices.Clone(s.SuggestedArticles)
	if s.SuggestedArticles == nil {
		s.SuggestedArticles = []string{}
	}
	return &s
}

// PutSiteSettings implements frontline.SiteSettingsStore.
func (st *SiteStore) PutSiteSettings(ctx context.Context, s *frontline.SiteSettings) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	// Microseconds, as PostgreSQL keeps them, so both stores read back alike.
	s.UpdatedAt = st.now().Truncate(time.Microsecond)
	st.sites[s.SiteKey] = *cloneSite(*s)
	return nil
}

// FindSiteSettings implements frontline.SiteSettingsStore.
func (st *SiteStore) FindSiteSettings(ctx context.Context, key string) (*frontline.SiteSettings, error) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	s, ok := st.sites[key]
	if !ok {
		return nil, frontline.Errorf(frontline.ENotFound, "no settings for site %s", key)
	}
	return cloneSite(s), nil
}

// FindAllSiteSettings implements frontline.SiteSettingsStore.
func (st *SiteStore) FindAllSiteSettings(ctx context.Context) ([]*frontline.SiteSettings, error) {
	st.mu.RLock()
	defer st.mu.RUnlock()
	out := []*frontline.SiteSettings{}
	for _, s := range st.sites {
		out = append(out, cloneSite(s))
	}
	slices.SortFunc(out, func(a, b *frontline.SiteSettings) int { return strings.Compare(a.SiteKey, b.SiteKey) })
	return out, nil
}

// DeleteSiteSettings implements frontline.SiteSettingsStore.
func (st *SiteStore) DeleteSiteSettings(ctx context.Context, key string) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.sites[key]; !ok {
		return frontline.Errorf(frontline.ENotFound, "no settings for site %s", key)
	}
	delete(st.sites, key)
	return nil
}
