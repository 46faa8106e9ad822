package kb

import (
	"hash/fnv"
	"maps"
	"testing"
)

// referenceFeature is hashFeature as it was written first, on hash/fnv:
// the stored embedder and ranker states index features by these values, so
// the in-place hashing must give the same ones.
func referenceFeature(kind byte, s string) uint64 {
	h := fnv.New64a()
	h.Write([]byte{kind, ':'})
	h.Write([]byte(s))
	return avalanche(h.Sum64())
}

func referenceTextFeatures(words []string, minGram, maxGram int) [3]map[uint64]int {
	fams := [3]map[uint64]int{{}, {}, {}}
	for i, w := range words {
		fams[0][referenceFeature('w', w)]++
		if i > 0 {
			fams[1][referenceFeature('b', words[i-1]+" "+w)]++
		}
		rs := []rune("<" + w + ">")
		for n := minGram; n <= maxGram; n++ {
			for j := 0; j+n <= len(rs); j++ {
				fams[2][referenceFeature('c', string(rs[j:j+n]))]++
			}
		}
	}
	return fams
}

func TestFeatureHashesUnchanged(t *testing.T) {
	for _, text := range []string{"", "a", "How do I reset my password?", "Rückerstattung für meine Bestellung", "配送 状況", "naïve café déjà vu x"} {
		words := Terms(text)
		words = append(words, "ü", "日本語") // non-ASCII runes inside the marked word
		got, want := textFeatures(words, 3, 5), referenceTextFeatures(words, 3, 5)
		for f := range got {
			if !maps.Equal(got[f], want[f]) {
				t.Errorf("%q: family %d differs from hash/fnv's", text, f)
			}
		}
	}
}
