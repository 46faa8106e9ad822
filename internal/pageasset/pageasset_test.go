package pageasset

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"
	"testing/fstest"
)

func TestPageNamesHashedAssets(t *testing.T) {
	t.Parallel()
	fsys := fstest.MapFS{
		"s/app.js":     {Data: []byte("console.log(1)")},
		"s/index.html": {Data: []byte(`<script src="{{index . "app.js"}}"></script>`)},
	}
	set := MustLoad(fsys, "s", "/p/assets/", "default-src 'none'", []string{"app.js"}, []string{"index.html"})

	rec := httptest.NewRecorder()
	set.Page("index.html")(rec, httptest.NewRequest("GET", "/p/", nil))
	m := regexp.MustCompile(`/p/assets/(app\.[0-9a-f]{12}\.js)`).FindStringSubmatch(rec.Body.String())
	if m == nil || rec.Header().Get("Content-Security-Policy") != "default-src 'none'" {
		t.Fatalf("page = %q with CSP %q, want a hashed script URL and the set's CSP", rec.Body, rec.Header().Get("Content-Security-Policy"))
	}

	mux := http.NewServeMux()
	mux.HandleFunc("GET /p/assets/{name}", set.ServeAsset)
	for name, want := range map[string]int{m[1]: 200, "app.js": 404, "app.000000000000.js": 404} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest("GET", "/p/assets/"+name, nil))
		if rec.Code != want {
			t.Errorf("GET %s = %d, want %d", name, rec.Code, want)
		}
		if want == 200 && (rec.Body.String() != "console.log(1)" || rec.Header().Get("Cache-Control") != "public, max-age=31536000, immutable") {
			t.Errorf("asset = %q, cache %q", rec.Body, rec.Header().Get("Cache-Control"))
		}
	}
}
