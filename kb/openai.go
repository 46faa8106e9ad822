package kb

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	openai "github.com/sashabaranov/go-openai"

	frontline "github.com/frontlinehq/frontline"
)

// OpenAIOptions configure an OpenAI-compatible embeddings endpoint.
type OpenAIOptions struct {
	// BaseURL of the API, e.g. https://api.openai.com/v1 or a local
	// server's /v1. Required.
	BaseURL string
	// APIKey is sent as a bearer token; never logged.
	APIKey string
	// Model, e.g. text-embedding-3-small. Required.
	Model string
	// Dimension every vector must have. Required. It is also sent as the
	// "dimensions" request field when SendDimension is set (models that
	// can shorten their vectors).
	Dimension     int
	SendDimension bool
	// BatchSize is the most texts per request. Default 64.
	BatchSize int
	// Timeout bounds one request. Default 30s.
	Timeout time.Duration
	// Retries after a 429, a 5xx or a network error, with exponential
	// backoff from RetryBase (default 500ms), doubling. Default 4.
	Retries   int
	RetryBase time.Duration
	// HTTPClient overrides the client (tests). Default: a fresh client.
	HTTPClient *http.Client
}

// OpenAIEmbedder embeds through any OpenAI-compatible /embeddings endpoint.
type OpenAIEmbedder struct {
	client *openai.Client
	opts   OpenAIOptions
}

var _ Embedder = (*OpenAIEmbedder)(nil)

// MaxDimension is the largest embedding a KB takes. HNSW indexes vectors of
// up to 2000 dimensions, and Postgres keeps a passage's vector inline in its
// row (one page, 8 kB, fast to scan) up to a little under that.
const MaxDimension = 1920

// NewOpenAIEmbedder checks opts and returns an embedder. It does not call
// the endpoint. EInvalid names a missing or bad option.
func NewOpenAIEmbedder(opts OpenAIOptions) (*OpenAIEmbedder, error) {
	switch {
	case opts.BaseURL == "":
		return nil, frontline.Errorf(frontline.EInvalid, "embedding base URL: required")
	case opts.Model == "":
		return nil, frontline.Errorf(frontline.EInvalid, "embedding model: required")
	case opts.Dimension <= 0 || opts.Dimension > MaxDimension:
		return nil, frontline.Errorf(frontline.EInvalid, "embedding dimension: %d is not between 1 and %d", opts.Dimension, MaxDimension)
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 64
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	if opts.Retries == 0 {
		opts.Retries = 4
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 500 * time.Millisecond
	}
	cfg := openai.DefaultConfig(opts.APIKey)
	cfg.BaseURL = opts.BaseURL
	if opts.HTTPClient != nil {
		cfg.HTTPClient = opts.HTTPClient
	}
	return &OpenAIEmbedder{client: openai.NewClientWithConfig(cfg), opts: opts}, nil
}

// NewOpenAIEmbedderFromEnv reads OPENAI_BASE_URL (default
// https://api.openai.com/v1), OPENAI_API_KEY, EMBEDDING_MODEL (default
// text-embedding-3-small) and EMBEDDING_DIMENSION (default 1536).
func NewOpenAIEmbedderFromEnv() (*OpenAIEmbedder, error) {
	opts := OpenAIOptions{
		BaseURL:   envOr("OPENAI_BASE_URL", "https://api.openai.com/v1"),
		APIKey:    os.Getenv("OPENAI_API_KEY"),
		Model:     envOr("EMBEDDING_MODEL", "text-embedding-3-small"),
		Dimension: 1536,
	}
	if d := os.Getenv("EMBEDDING_DIMENSION"); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil {
			return nil, frontline.Errorf(frontline.EInvalid, "EMBEDDING_DIMENSION: %q is not a number", d)
		}
		opts.Dimension, opts.SendDimension = n, true
	}
	return NewOpenAIEmbedder(opts)
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}

// Name identifies endpoint model and dimension.
func (e *OpenAIEmbedder) Name() string {
	return fmt.Sprintf("openai-%s-d%d", e.opts.Model, e.opts.Dimension)
}

// Dimension returns the configured dimension.
func (e *OpenAIEmbedder) Dimension() int { return e.opts.Dimension }

// Embed sends texts in batches of BatchSize, retrying 429s, 5xx and network
// errors with exponential backoff. Errors: EUnauthorized when the key is
// rejected (401/403), EUnavailable for a wrong URL or model (404), a
// timeout, exhausted retries, a wrong vector count or dimension; the
// message names the endpoint and never the key.
func (e *OpenAIEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += e.opts.BatchSize {
		batch := texts[start:min(start+e.opts.BatchSize, len(texts))]
		vecs, err := e.embedBatch(ctx, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (e *OpenAIEmbedder) embedBatch(ctx context.Context, batch []string) ([][]float32, error) {
	req := openai.EmbeddingRequestStrings{Input: batch, Model: openai.EmbeddingModel(e.opts.Model)}
	if e.opts.SendDimension {
		req.Dimensions = e.opts.Dimension
	}
	var lastErr error
	for attempt := 0; attempt <= e.opts.Retries; attempt++ {
		if attempt > 0 {
			wait := e.opts.RetryBase << (attempt - 1)
			select {
			case <-ctx.Done():
				return nil, frontline.Errorf(frontline.EUnavailable, "embedding endpoint %s: %v (after %v)", e.opts.BaseURL, ctx.Err(), lastErr)
			case <-time.After(wait):
			}
		}
		rctx, cancel := context.WithTimeout(ctx, e.opts.Timeout)
		res, err := e.client.CreateEmbeddings(rctx, req)
		cancel()
		if err == nil {
			return e.check(res, len(batch))
		}
		retry, derr := e.classify(ctx, err)
		if !retry {
			return nil, derr
		}
		lastErr = derr
	}
	return nil, frontline.Errorf(frontline.EUnavailable, "embedding endpoint %s: gave up after %d retries: %v", e.opts.BaseURL, e.opts.Retries, lastErr)
}

// check verifies the response has one vector of the right size per input.
func (e *OpenAIEmbedder) check(res openai.EmbeddingResponse, n int) ([][]float32, error) {
	if len(res.Data) != n {
		return nil, frontline.Errorf(frontline.EUnavailable, "embedding endpoint %s returned %d vectors for %d texts", e.opts.BaseURL, len(res.Data), n)
	}
	out := make([][]float32, n)
	for _, d := range res.Data {
		if d.Index < 0 || d.Index >= n || out[d.Index] != nil {
			return nil, frontline.Errorf(frontline.EUnavailable, "embedding endpoint %s returned a bad vector index %d", e.opts.BaseURL, d.Index)
		}
		if len(d.Embedding) != e.opts.Dimension {
			return nil, frontline.Errorf(frontline.EUnavailable, "embedding endpoint %s (model %s) returned vectors of dimension %d, configured %d", e.opts.BaseURL, e.opts.Model, len(d.Embedding), e.opts.Dimension)
		}
		v := append([]float32(nil), d.Embedding...)
		normalize(v)
		out[d.Index] = v
	}
	return out, nil
}

// classify turns a client error into a domain error and says whether the
// request is worth retrying.
func (e *OpenAIEmbedder) classify(ctx context.Context, err error) (retry bool, _ error) {
	var apiErr *openai.APIError
	var reqErr *openai.RequestError
	status := 0
	switch {
	case errors.As(err, &apiErr):
		status = apiErr.HTTPStatusCode
	case errors.As(err, &reqErr):
		status = reqErr.HTTPStatusCode
	}
	where := fmt.Sprintf("embedding endpoint %s", e.opts.BaseURL)
	switch {
	case ctx.Err() != nil:
		return false, frontline.Errorf(frontline.EUnavailable, "%s: %v", where, ctx.Err())
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return false, frontline.Errorf(frontline.EUnauthorized, "%s rejected the API key (HTTP %d)", where, status)
	case status == http.StatusNotFound:
		return false, frontline.Errorf(frontline.EUnavailable, "%s: HTTP 404: wrong base URL or unknown model %q", where, e.opts.Model)
	case status == http.StatusTooManyRequests || status >= 500:
		return true, frontline.Errorf(frontline.EUnavailable, "%s: HTTP %d", where, status)
	case status != 0:
		return false, frontline.Errorf(frontline.EUnavailable, "%s: HTTP %d: %v", where, status, err)
	}
	var netErr net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &netErr) && netErr.Timeout() {
		return true, frontline.Errorf(frontline.EUnavailable, "%s: timed out after %v", where, e.opts.Timeout)
	}
	return true, frontline.Errorf(frontline.EUnavailable, "%s: %v", where, err)
}
