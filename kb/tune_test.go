package kb

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/frontlinehq/frontline/internal/shareddata"
)

// TestTuneRanker measures the ranker and its confidence on development
// splits carved out of the public sets' training rows only, the way its
// hyperparameters were picked: banking77 without its every-5th test rows,
// of which every 4th per intent is the development set; CLINC150's
// train.csv with every 5th row per intent as development questions and
// oos_train.csv as the out-of-scope ones. No test or validation row is
// read. It runs only when FRONTLINE_TUNE is set (it takes a minute).
func TestTuneRanker(t *testing.T) {
	if os.Getenv("FRONTLINE_TUNE") == "" {
		t.Skip("set FRONTLINE_TUNE=1 to measure the ranker on development splits")
	}
	o := defaultRankerOptions
	envFloat := func(k string, v *float64) {
		if s := os.Getenv(k); s != "" {
			if _, err := fmt.Sscan(s, v); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
		}
	}
	envInt := func(k string, v *int) {
		f := float64(*v)
		envFloat(k, &f)
		*v = int(f)
	}
	envInt("TUNE_EPOCHS", &o.epochs)
	envInt("TUNE_FOLDS", &o.folds)
	envInt("TUNE_K", &o.knnK)
	envFloat("TUNE_KNNW", &o.knnWeight)
	envFloat("TUNE_LAMBDA", &o.lambda)
	envFloat("TUNE_LR", &o.lr0)
	envFloat("TUNE_AVG", &o.avgFrom)
	envInt("TUNE_SNAPS", &o.avgSnaps)
	t.Logf("options %+v", o)
	for _, set := range strings.Split(envOr("FRONTLINE_TUNE_SETS", "banking77,clinc150"), ",") {
		var train, dev []tuneRow
		switch set {
		case "banking77":
			rows := readTuneCSV(t, shareddata.Path(t, "banking77/train.csv"))
			rows, _ = tuneHoldOut(rows, 5) // the eval's test rows: never looked at
			train, dev = tuneHoldOut(rows, 4)
		case "clinc150":
			train, dev = tuneHoldOut(readTuneCSV(t, shareddata.Path(t, "clinc150/train.csv")), 5)
			for _, r := range readTuneCSV(t, shareddata.Path(t, "clinc150/oos_train.csv")) {
				dev = append(dev, tuneRow{r.text, "oos"})
			}
		}
		items, byLabel := tuneItems(train)
		start := time.Now()
		rk := trainKBRanker(items, DefaultChunkRunes, o)
		took := time.Since(start)
		var outs []tuneOutcome
		for _, r := range dev {
			c, score := rk.top(r.text)
			outs = append(outs, tuneOutcome{right: r.label != "oos" && c == byLabel[r.label], oos: r.label == "oos", score: score})
		}
		t.Logf("%s: train %d dev %d, trained in %v", set, len(train), len(dev), took.Round(time.Millisecond))
		t.Logf("%s: %s", set, tuneSummary(outs))
		t.Logf("%s: confidence weights %.3f", set, rk.conf.w)
	}
}

type tuneRow struct{ text, label string }

type tuneOutcome struct {
	right, oos bool
	score      float64
}

func readTuneCSV(t testing.TB, path string) []tuneRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	if _, err := r.Read(); err != nil {
		t.Fatal(err)
	}
	var out []tuneRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tuneRow{strings.TrimSpace(rec[0]), strings.TrimSpace(rec[1])})
	}
}

// tuneHoldOut splits off every nth row of each label, as the eval's
// --holdout-every does.
func tuneHoldOut(rows []tuneRow, n int) (rest, held []tuneRow) {
	seen := map[string]int{}
	for _, r := range rows {
		seen[r.label]++
		if seen[r.label]%n == 0 {
			held = append(held, r)
		} else {
			rest = append(rest, r)
		}
	}
	return rest, held
}

// tuneItems makes one title-only article per label with its rows as
// phrasings, as the eval builds its KB; byLabel maps a label to its class.
func tuneItems(rows []tuneRow) ([]reindexItem, map[string]int) {
	texts := map[string][]string{}
	for _, r := range rows {
		texts[r.label] = append(texts[r.label], r.text)
	}
	labels := make([]string, 0, len(texts))
	for l := range texts {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	var items []reindexItem
	byLabel := map[string]int{}
	for i, l := range labels {
		a := &Article{ID: fmt.Sprintf("art_%04d", i), Slug: l, Title: strings.ReplaceAll(l, "_", " ")}
		var phr []*Phrasing
		for _, s := range texts[l] {
			phr = append(phr, &Phrasing{Text: s})
		}
		items = append(items, reindexItem{a: a, rev: &Revision{Title: a.Title}, phr: phr})
		byLabel[l] = i
	}
	return items, byLabel
}

// tuneSummary gives ranking accuracy, the figures at DefaultThreshold, and
// the best answer rate whose confident-wrong rate is at most 2%.
func tuneSummary(outs []tuneOutcome) string {
	var in, right, oos int
	for _, o := range outs {
		if o.oos {
			oos++
			continue
		}
		in++
		if o.right {
			right++
		}
	}
	at := func(th float64) (ans, acc, cw, oosRec float64) {
		var a, r, w, od int
		for _, o := range outs {
			if o.score >= th {
				a++
				if o.right {
					r++
				} else {
					w++
				}
			} else if o.oos {
				od++
			}
		}
		return float64(a) / float64(len(outs)), float64(r) / float64(max(in, 1)), float64(w) / float64(max(a, 1)), float64(od) / float64(max(oos, 1))
	}
	scores := make([]float64, 0, len(outs))
	for _, o := range outs {
		scores = append(scores, o.score)
	}
	slices.Sort(scores)
	best := math.Inf(1)
	for _, th := range scores {
		if _, _, cw, _ := at(th); cw <= 0.02 {
			best = th
			break
		}
	}
	a8, acc8, cw8, oos8 := at(DefaultThreshold)
	ab, accb, cwb, oosb := at(best)
	// CLINC's figure of merit: in-scope accuracy + oos recall at the best threshold.
	var bestSum, bestT float64
	if oos > 0 {
		for _, th := range scores {
			if _, acc, _, rec := at(th); acc+rec > bestSum {
				bestSum, bestT = acc+rec, th
			}
		}
	}
	_, accS, cwS, recS := at(bestT)
	return fmt.Sprintf("rank %.4f | @%.2f ans %.4f acc %.4f cw %.4f oos %.4f | cw<=2%% @%.3f ans %.4f acc %.4f cw %.4f oos %.4f | best acc+oos @%.3f acc %.4f oos %.4f cw %.4f",
		float64(right)/float64(max(in, 1)), DefaultThreshold, a8, acc8, cw8, oos8, best, ab, accb, cwb, oosb, bestT, accS, recS, cwS)
}

// BenchmarkTrainRankerCLINC trains the ranker on CLINC150's 15,000 training
// phrasings (150 articles), as Reindex does, and reports the bytes
// allocated per training (B/op) and the peak live heap (peak-heap-MB,
// sampled every 5 ms): the training's memory cost on a large KB.
func BenchmarkTrainRankerCLINC(b *testing.B) {
	rows := readTuneCSV(b, shareddata.Path(b, "clinc150/train.csv"))
	items, _ := tuneItems(rows)
	b.ReportAllocs()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	b.ResetTimer()
	for range b.N {
		_ = trainKBRanker(items, DefaultChunkRunes, defaultRankerOptions)
	}
	b.StopTimer()
	close(stop)
	<-sampled
	b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
}
