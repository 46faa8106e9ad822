package postgres_test

import (
	"context"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/internal/kbtest"
	"github.com/frontlinehq/frontline/internal/pgtest"
	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
)

func TestKBStore(t *testing.T) {
	t.Parallel()
	kbtest.RunTests(t, func(t *testing.T) kb.Store { return postgres.NewKBStore(pgtest.NewDB(t)) })
}

// Passage vectors are stored inline in their rows (not in the TOAST table,
// which made every scanned passage a second lookup), up to the largest
// dimension a KB takes, even beside long passages.
func TestKBPassageVectorsStayInline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	svc := kb.NewService(postgres.NewKBStore(db), kb.NewOfflineEmbedder(kb.OfflineOptions{Dimension: kb.MaxDimension}), kb.Options{})
	body := strings.Repeat("Refunds reach the original card within five working days of the return arriving. ", 60)
	if _, err := kb.Import(ctx, svc, []kb.ImportedArticle{{Slug: "refunds", Title: "Refunds", Body: "## When\n\n" + body + "\n\n## How\n\n" + body}}); err != nil {
		t.Fatalf("import with %d-dimension vectors: %v", kb.MaxDimension, err)
	}
	var passages, outOfLine int
	err := db.Pool().QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE pg_column_size(embedding) <> 8 + 4 * vector_dims(embedding))
		FROM kb_vectors`).Scan(&passages, &outOfLine)
	if err != nil {
		t.Fatal(err)
	}
	if passages == 0 || outOfLine != 0 {
		t.Errorf("%d of %d passages keep their vector out of line (TOAST), want none", outOfLine, passages)
	}
}
