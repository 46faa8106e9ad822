package kb_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/internal/memory"
	"github.com/frontlinehq/frontline/kb"
)

func TestPublicHandler(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := kb.NewService(memory.NewKBStore(), kb.NewOfflineEmbedder(kb.OfflineOptions{}), kb.Options{})
	mustPublish := func(a kb.Article) *kb.Article {
		t.Helper()
		created, err := svc.CreateArticle(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if a.State == kb.StatePublished || a.State == "" {
			if _, err := svc.Publish(ctx, created.ID, "editor"); err != nil {
				t.Fatal(err)
			}
		}
		return created
	}
	returns := mustPublish(kb.Article{Slug: "returns", Title: "Returns <b>policy</b>", Body: "# Returns\n\nSend it back within **30 days**.\n\n<script>window.x=1</script><img src=x onerror=alert(1)>", Audience: kb.AudiencePublic})
	mustPublish(kb.Article{Slug: "vip", Title: "VIP perks", Body: "Members only.", Audience: kb.AudienceCustomers})
	draft, err := svc.CreateArticle(ctx, kb.Article{Slug: "secret-draft", Title: "Draft", Body: "not yet", Audience: kb.AudiencePublic})
	if err != nil {
		t.Fatal(err)
	}
	// An unpublished edit of a published article never shows.
	newBody := "EDITED BUT NOT PUBLISHED"
	if _, err := svc.UpdateArticle(ctx, returns.ID, kb.ArticleUpdate{Body: &newBody}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(kb.PublicHandler(svc, nil))
	t.Cleanup(srv.Close)

	tests := []struct {
		path       string
		status     int
		want, dont []string
	}{
		{"/kb/returns", 200, []string{"Returns &lt;b&gt;policy&lt;/b&gt;", "<strong>30 days</strong>"}, []string{"<script", "onerror", "EDITED"}},
		{"/kb/", 200, []string{`href="/kb/returns"`}, []string{"vip", draft.Slug}},
		{"/kb/vip", 403, []string{"signed-in customers"}, []string{"Members only"}},
		{"/kb/" + draft.Slug, 404, nil, []string{"not yet"}},
		{"/kb/nope", 404, nil, nil},
	}
	for _, tt := range tests {
		resp, err := http.Get(srv.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
			t.Errorf("GET %s: CSP = %q, want scripts off", tt.path, csp)
		}
		for _, w := range tt.want {
			if !strings.Contains(string(body), w) {
				t.Errorf("GET %s: body lacks %q", tt.path, w)
			}
		}
		for _, d := range tt.dont {
			if strings.Contains(string(body), d) {
				t.Errorf("GET %s: body contains %q", tt.path, d)
			}
		}
	}
}
