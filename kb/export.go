package kb

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"

	"gopkg.in/yaml.v3"
)

// PhrasingsFile is the name Export gives the CSV of phrasings it writes next
// to the articles.
const PhrasingsFile = "phrasings.csv"

// exportedFrontMatter is the front matter Export writes, in this key order.
type exportedFrontMatter struct {
	Title    string   `yaml:"title"`
	Tags     []string `yaml:"tags,omitempty,flow"`
	Locale   string   `yaml:"locale"`
	Audience Audience `yaml:"audience"`
	State    State    `yaml:"state"`
}

// ExportReport says what Export wrote.
type ExportReport struct {
	Articles  int `json:"articles"`
	Phrasings int `json:"phrasings"`
}

// Export writes every article to dir in the import format (dir/<slug>.md)
// and all phrasings to dir/phrasings.csv (text,label), creating dir if
// needed. A published article is written as customers see it, from its
// published revision; unpublished edits to its working copy are not
// exported. Others are written from their working copy. Each file is
// written to a temporary name and renamed, so a file is never half-written;
// ReadDir(os.DirFS(dir)) and ReadPhrasings read back what Export wrote.
func Export(ctx context.Context, svc *Service, dir string) (ExportReport, error) {
	var rep ExportReport
	arts, err := svc.Articles(ctx, ArticleFilter{})
	if err != nil {
		return rep, fmt.Errorf("export: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return rep, fmt.Errorf("export: %w", err)
	}
	var phr bytes.Buffer
	cw := csv.NewWriter(&phr)
	if err := cw.Write([]string{"text", "label"}); err != nil {
		return rep, fmt.Errorf("export: %w", err)
	}
	for _, a := range arts {
		ia, err := exportedArticle(ctx, svc, a)
		if err != nil {
			return rep, fmt.Errorf("export %s: %w", a.Slug, err)
		}
		data, err := FormatArticle(ia)
		if err != nil {
			return rep, fmt.Errorf("export %s: %w", a.Slug, err)
		}
		if err := writeFileAtomic(filepath.Join(dir, a.Slug+".md"), data); err != nil {
			return rep, fmt.Errorf("export %s: %w", a.Slug, err)
		}
		rep.Articles++
		ps, err := svc.Phrasings(ctx, a.ID)
		if err != nil {
			return rep, fmt.Errorf("export %s: %w", a.Slug, err)
		}
		for _, p := range ps {
			if err := cw.Write([]string{p.Text, a.Slug}); err != nil {
				return rep, fmt.Errorf("export: %w", err)
			}
			rep.Phrasings++
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return rep, fmt.Errorf("export: %w", err)
	}
	if rep.Phrasings > 0 {
		if err := writeFileAtomic(filepath.Join(dir, PhrasingsFile), phr.Bytes()); err != nil {
			return rep, fmt.Errorf("export: %w", err)
		}
	}
	return rep, nil
}

// exportedArticle picks the content Export writes for a.
func exportedArticle(ctx context.Context, svc *Service, a *Article) (ImportedArticle, error) {
	ia := ImportedArticle{Slug: a.Slug, Title: a.Title, Body: a.Body, Tags: a.Tags, Locale: a.Locale, Audience: a.Audience, State: a.State}
	if a.State == StatePublished && a.PublishedRevisionID != "" {
		rev, err := svc.Revision(ctx, a.PublishedRevisionID)
		if err != nil {
			return ia, err
		}
		ia.Title, ia.Body, ia.Tags = rev.Title, rev.Body, rev.Tags
	}
	return ia, nil
}

// FormatArticle renders a in the import format: front matter, a blank line,
// the Markdown body and a final newline.
func FormatArticle(a ImportedArticle) ([]byte, error) {
	fm, err := yaml.Marshal(exportedFrontMatter{Title: a.Title, Tags: a.Tags, Locale: a.Locale, Audience: a.Audience, State: a.State})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("---\n")
	b.Write(fm)
	b.WriteString("---\n\n")
	b.WriteString(a.Body)
	b.WriteString("\n")
	return b.Bytes(), nil
}

// writeFileAtomic writes data to a temporary file in name's folder and
// renames it over name.
func writeFileAtomic(name string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(name), ".export-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
