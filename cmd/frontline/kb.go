package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/frontlinehq/frontline/internal/postgres"
	"github.com/frontlinehq/frontline/kb"
)

const kbUsage = `Usage: frontline kb COMMAND [flags] ARG

Commands:
  import [--check] DIR       import a folder of Markdown articles (and DIR/phrasings.csv if present)
  import-phrasings FILE.csv  attach customer questions (text,label; label = article slug)
  export DIR                 write every article (and phrasings.csv) to DIR

Articles are one DIR/<slug>.md each, with YAML front matter between "---"
lines: title (required), tags, locale, audience (public|customers), state
(draft|review|published|archived; published when absent). An import is one
transaction: on any error nothing is imported. --check only reads and
validates DIR, without a database.

The commands work on the PostgreSQL database in DATABASE_URL and use the
same embedder settings as serve (FRONTLINE_EMBEDDER, FRONTLINE_EMBEDDINGS_*).
Run "frontline kb COMMAND -h" for a command's flags.
`

// kbCommands are the kb commands and their usage.
var kbCommands = map[string]string{
	"import": `Usage: frontline kb import [--check] DIR

Imports the Markdown articles of DIR (one <slug>.md each, YAML front matter
with at least a title) and DIR/phrasings.csv if present, in one transaction:
on any error nothing is imported. Articles already there are updated.
`,
	"import-phrasings": `Usage: frontline kb import-phrasings FILE.csv

Attaches customer questions to articles, so the bot finds them by the
customers' own words. FILE.csv has a header row text,label; label is the
article's slug.
`,
	"export": `Usage: frontline kb export DIR

Writes every article to DIR as <slug>.md, in the format import reads, and
their phrasings to DIR/phrasings.csv.
`,
}

// runKB implements `frontline kb import|import-phrasings|export`.
func runKB(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runKBWith(ctx, args, os.Getenv, stdout, stderr)
}

func runKBWith(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, kbUsage)
		return fmt.Errorf("%w: kb needs a command", errUsage)
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, kbUsage)
		return flag.ErrHelp
	}
	cmd := args[0]
	usage, ok := kbCommands[cmd]
	if !ok {
		fmt.Fprint(stderr, kbUsage)
		return fmt.Errorf("%w: unknown kb command %q", errUsage, cmd)
	}
	fset := newFlagSet("kb "+cmd, usage)
	dbURL := databaseURLFlag(fset, getenv)
	check := false
	if cmd == "import" {
		fset.BoolVar(&check, "check", false, "only read and validate DIR; touch no database")
	}
	if err := parseFlags(fset, args[1:], stdout, stderr); err != nil {
		return err
	}
	if fset.NArg() != 1 {
		fset.SetOutput(stderr)
		fset.Usage()
		return fmt.Errorf("%w: kb %s takes exactly one DIR or FILE", errUsage, cmd)
	}
	target := fset.Arg(0)

	var job func(ctx context.Context, svc *kb.Service) error
	switch cmd {
	case "import":
		arts, phr, err := readImportDir(target)
		if err != nil {
			return err
		}
		if check {
			fmt.Fprintf(stdout, "%s: %d articles and %d phrasings are valid\n", target, len(arts), len(phr))
			return nil
		}
		job = func(ctx context.Context, svc *kb.Service) error {
			return importDir(ctx, svc, arts, phr, stdout)
		}
	case "import-phrasings":
		phr, err := readPhrasingsFile(target)
		if err != nil {
			return err
		}
		job = func(ctx context.Context, svc *kb.Service) error {
			rep, err := kb.ImportPhrasings(ctx, svc, target, phr)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "phrasings: %d added, %d already present\n", rep.Added, rep.Skipped)
			return nil
		}
	case "export":
		job = func(ctx context.Context, svc *kb.Service) error {
			rep, err := kb.Export(ctx, svc, target)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "exported %d articles and %d phrasings to %s\n", rep.Articles, rep.Phrasings, target)
			return nil
		}
	}

	if *dbURL == "" {
		return fmt.Errorf("kb %s: set DATABASE_URL (or --database-url) to the PostgreSQL database; the in-memory store keeps nothing", cmd)
	}
	emb, err := embedderFromEnv(getenv)
	if err != nil {
		return fmt.Errorf("kb %s: %w", cmd, err)
	}
	db, err := postgres.Open(ctx, postgres.Options{URL: *dbURL})
	if err != nil {
		return fmt.Errorf("kb %s: %w", cmd, err)
	}
	defer db.Close()
	if err := db.CheckSchema(ctx); err != nil {
		return fmt.Errorf("kb %s: %w (run `frontline migrate`)", cmd, err)
	}
	svc := kb.NewService(postgres.NewKBStore(db), emb, kb.Options{})
	if err := job(ctx, svc); err != nil {
		return fmt.Errorf("kb %s: %w", cmd, err)
	}
	return nil
}

// readImportDir reads the articles of dir and its phrasings.csv, if any.
func readImportDir(dir string) ([]kb.ImportedArticle, []kb.ImportedPhrasing, error) {
	if st, err := os.Stat(dir); err != nil {
		return nil, nil, fmt.Errorf("kb import: %w", err)
	} else if !st.IsDir() {
		return nil, nil, fmt.Errorf("kb import: %s is not a folder", dir)
	}
	arts, err := kb.ReadDir(os.DirFS(dir))
	if err != nil {
		return nil, nil, fmt.Errorf("kb import %s:\n%w", dir, err)
	}
	phr, err := readPhrasingsFile(filepath.Join(dir, kb.PhrasingsFile))
	if errors.Is(err, fs.ErrNotExist) {
		return arts, nil, nil
	}
	return arts, phr, err
}

func readPhrasingsFile(name string) ([]kb.ImportedPhrasing, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return kb.ReadPhrasings(name, f)
}

// importDir imports articles and then phrasings in one transaction.
func importDir(ctx context.Context, svc *kb.Service, arts []kb.ImportedArticle, phr []kb.ImportedPhrasing, stdout io.Writer) error {
	var (
		rep  kb.ImportReport
		prep kb.PhrasingsReport
	)
	err := svc.InTx(ctx, func(tx *kb.Service) error {
		var err error
		if rep, err = kb.Import(ctx, tx, arts); err != nil {
			return err
		}
		if len(phr) > 0 {
			prep, err = kb.ImportPhrasings(ctx, tx, kb.PhrasingsFile, phr)
		}
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "articles: %d created, %d updated, %d unchanged; %d revisions published\n",
		rep.Created, rep.Updated, rep.Unchanged, rep.Published)
	if len(phr) > 0 {
		fmt.Fprintf(stdout, "phrasings: %d added, %d already present\n", prep.Added, prep.Skipped)
	}
	return nil
}

// embedderFromEnv builds the embedder from the same settings serve reads:
// FRONTLINE_EMBEDDER (offline|openai) and FRONTLINE_EMBEDDINGS_URL, _KEY,
// _MODEL and _DIMENSION. Import must embed exactly as serve searches.
func embedderFromEnv(getenv func(string) string) (kb.Embedder, error) {
	switch name := getenv("FRONTLINE_EMBEDDER"); name {
	case "", "offline":
		return kb.NewOfflineEmbedder(kb.OfflineOptions{}), nil
	case "openai":
		opts := kb.OpenAIOptions{
			BaseURL: getenv("FRONTLINE_EMBEDDINGS_URL"),
			APIKey:  getenv("FRONTLINE_EMBEDDINGS_KEY"),
			Model:   getenv("FRONTLINE_EMBEDDINGS_MODEL"),
		}
		if d := getenv("FRONTLINE_EMBEDDINGS_DIMENSION"); d != "" {
			n, err := strconv.Atoi(d)
			if err != nil {
				return nil, fmt.Errorf("FRONTLINE_EMBEDDINGS_DIMENSION: %q is not a number", d)
			}
			opts.Dimension, opts.SendDimension = n, true
		}
		return kb.NewOpenAIEmbedder(opts)
	default:
		return nil, fmt.Errorf("FRONTLINE_EMBEDDER: %q is not offline or openai", name)
	}
}
