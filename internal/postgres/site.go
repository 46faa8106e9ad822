package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/frontlinehq/frontline"
)

// SiteStore keeps the widget's per-site settings (frontline.SiteSettings).
type SiteStore struct{ db *DB }

var _ frontline.SiteSettingsStore = (*SiteStore)(nil)

// NewSiteStore returns the site settings store on db.
func NewSiteStore(db *DB) *SiteStore { return &SiteStore{db: db} }

const siteColumns = `site_key, display_name, accent_color, greeting, avatar_url, launcher_position, suggested_articles, updated_at, updated_by`

func scanSite(row pgx.Row) (*frontline.SiteSettings, error) {
	var s frontline.SiteSettings
	if err := row.Scan(&s.SiteKey, &s.DisplayName, &s.AccentColor, &s.Greeting, &s.AvatarURL, &s.LauncherPosition,
		&s.SuggestedArticles, &s.UpdatedAt, &s.UpdatedBy); err != nil {
		return nil, err
	}
	s.UpdatedAt = s.UpdatedAt.UTC()
	if s.SuggestedArticles == nil {
		s.SuggestedArticles = []string{}
	}
	return &s, nil
}

// PutSiteSettings implements frontline.SiteSettingsStore.
func (st *SiteStore) PutSiteSettings(ctx context.Context, s *frontline.SiteSettings) error {
	articles := s.SuggestedArticles
	if articles == nil {
		articles = []string{}
	}
	row := st.db.pool.QueryRow(ctx, `INSERT INTO site_settings (`+siteColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8)
		ON CONFLICT (site_key) DO UPDATE SET display_name = excluded.display_name, accent_color = excluded.accent_color,
			greeting = excluded.greeting, avatar_url = excluded.avatar_url, launcher_position = excluded.launcher_position,
			suggested_articles = excluded.suggested_articles, updated_at = excluded.updated_at, updated_by = excluded.updated_by
		RETURNING updated_at`,
		s.SiteKey, s.DisplayName, s.AccentColor, s.Greeting, s.AvatarURL, s.LauncherPosition, articles, s.UpdatedBy)
	var at time.Time
	if err := row.Scan(&at); err != nil {
		return fmt.Errorf("put site settings: %w", err)
	}
	s.UpdatedAt = at.UTC()
	return nil
}

// FindSiteSettings implements frontline.SiteSettingsStore.
func (st *SiteStore) FindSiteSettings(ctx context.Context, key string) (*frontline.SiteSettings, error) {
	s, err := scanSite(st.db.pool.QueryRow(ctx, `SELECT `+siteColumns+` FROM site_settings WHERE site_key = $1`, key))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, frontline.Errorf(frontline.ENotFound, "no settings for site %s", key)
	}
	if err != nil {
		return nil, fmt.Errorf("find site settings: %w", err)
	}
	return s, nil
}

// FindAllSiteSettings implements frontline.SiteSettingsStore.
func (st *SiteStore) FindAllSiteSettings(ctx context.Context) ([]*frontline.SiteSettings, error) {
	rows, err := st.db.pool.Query(ctx, `SELECT `+siteColumns+` FROM site_settings ORDER BY site_key COLLATE "C"`)
	if err != nil {
		return nil, fmt.Errorf("find site settings: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*frontline.SiteSettings, error) { return scanSite(row) })
	if err != nil {
		return nil, fmt.Errorf("find site settings: %w", err)
	}
	return out, nil
}

// DeleteSiteSettings implements frontline.SiteSettingsStore.
func (st *SiteStore) DeleteSiteSettings(ctx context.Context, key string) error {
	tag, err := st.db.pool.Exec(ctx, `DELETE FROM site_settings WHERE site_key = $1`, key)
	if err != nil {
		return fmt.Errorf("delete site settings: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return frontline.Errorf(frontline.ENotFound, "no settings for site %s", key)
	}
	return nil
}
