package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/frontlinehq/frontline/bot/signal"
)

// The command reads a labelled file from a path, writes a model the
// detector reads, and gives the same bytes twice.
func TestRunTrainDetectors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := filepath.Join(dir, "train.jsonl")
	var b strings.Builder
	for i := range 24 {
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, `{"id":"a%d","turns":["this is useless, I want a person now"],"frustration":true,"human_request":true,"severity":"none","pii":[]}`+"\n", i)
		case 1:
			fmt.Fprintf(&b, `{"id":"a%d","turns":["my parcel %d never arrived"],"frustration":false,"human_request":false,"severity":"delivery","pii":[]}`+"\n", i, i)
		default:
			fmt.Fprintf(&b, `{"id":"a%d","turns":["what are your opening hours"],"frustration":false,"human_request":false,"severity":"none","pii":[]}`+"\n", i)
		}
	}
	if err := os.WriteFile(data, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	var models [][]byte
	for i := range 2 {
		out := filepath.Join(dir, fmt.Sprintf("m%d.model", i))
		var stdout, stderr bytes.Buffer
		if err := runTrain(context.Background(), []string{"detectors", "--data", data, "--out", out, "--folds", "2"}, &stdout, &stderr); err != nil {
			t.Fatalf("train detectors: %v; stderr %s", err, stderr.String())
		}
		if !strings.Contains(stdout.String(), "chosen by 2-fold cross-validation") {
			t.Errorf("stdout = %q, want the chosen setting", stdout.String())
		}
		m, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, m)
	}
	if !bytes.Equal(models[0], models[1]) {
		t.Error("two runs on the same file wrote different models")
	}
	d, err := signal.NewWithModel(signal.DefaultConfig(), models[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Detect([]string{"my parcel 7 never arrived"}); got.Severity != "delivery" {
		t.Errorf("trained model: severity %s, want delivery", got.Severity)
	}
}

func TestRunTrainBadInput(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{nil, {"weights"}, {"detectors"}, {"detectors", "--data", "nope.jsonl", "--out", "x"}} {
		var stdout, stderr bytes.Buffer
		err := runTrain(context.Background(), args, &stdout, &stderr)
		if err == nil {
			t.Errorf("train %q: want an error", args)
		}
		if len(args) < 3 && !errors.Is(err, errUsage) {
			t.Errorf("train %q: error %v, want a usage error", args, err)
		}
	}
}
