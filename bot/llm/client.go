// Package llm is the bot's client for any OpenAI-compatible chat endpoint
// (OpenAI, Azure, vLLM, Ollama, llama.cpp...). It adds what the bot needs on
// top of go-openai: one deadline for the whole call, retries on rate limits
// and server errors with exponential backoff, and streaming that hands each
// piece of text to a callback while assembling the final reply.
package llm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// Config names the endpoint and bounds each call.
type Config struct {
	// BaseURL of the API, e.g. "https://api.openai.com/v1" or
	// "http://localhost:11434/v1". Required.
	BaseURL string
	// APIKey is sent as a bearer token; empty for local servers. It is a
	// secret: never log it.
	APIKey string
	// Model is the chat model name. Required.
	Model string
	// Timeout bounds one Complete call, retries and streaming included.
	// Default 20s.
	Timeout time.Duration
	// MaxRetries after a 429, a 5xx or a connection error. Default 2;
	// negative means none.
	MaxRetries int
	// RetryBackoff is the first wait before a retry, doubled each time.
	// Default 500ms.
	RetryBackoff time.Duration
	// Stream asks the server to stream the reply.
	Stream bool
	// Temperature of sampling; grounded answers want it low. Default 0.
	Temperature float32
	// MaxTokens bounds the reply; default 400.
	MaxTokens int
	// HTTPClient is used for requests; default a new http.Client.
	HTTPClient *http.Client
}

// Message is one chat message.
type Message struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// Roles.
const (
	RoleSystem    = openai.ChatMessageRoleSystem
	RoleUser      = openai.ChatMessageRoleUser
	RoleAssistant = openai.ChatMessageRoleAssistant
)

// ErrEmpty is returned when the server answered with no text.
var ErrEmpty = errors.New("llm: empty reply")

// Client calls one model. It is safe for concurrent use.
type Client struct {
	api *openai.Client
	cfg Config
	// sleep waits between retries; tests replace it to observe the waits.
	sleep func(ctx context.Context, d time.Duration) error
}

// New returns a client for cfg. It fails when BaseURL or Model is missing.
func New(cfg Config) (*Client, error) {
	if strings.TrimSpace(cfg.BaseURL) == "" {
		return nil, errors.New("llm: base URL is required")
	}
	if strings.TrimSpace(cfg.Model) == "" {
		return nil, errors.New("llm: model is required")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 20 * time.Second
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 2
	}
	if cfg.MaxRetries < 0 {
		cfg.MaxRetries = 0
	}
	if cfg.RetryBackoff <= 0 {
		cfg.RetryBackoff = 500 * time.Millisecond
	}
	if cfg.MaxTokens <= 0 {
		cfg.MaxTokens = 400
	}
	oc := openai.DefaultConfig(cfg.APIKey)
	oc.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient != nil {
		oc.HTTPClient = cfg.HTTPClient
	}
	return &Client{api: openai.NewClientWithConfig(oc), cfg: cfg, sleep: sleepCtx}, nil
}

// Model is the configured model name.
func (c *Client) Model() string { return c.cfg.Model }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Complete sends msgs and returns the reply's text. When the client streams,
// onDelta (if not nil) receives each piece as it arrives; the returned text
// is all of them joined. A call that fails before any text arrived is
// retried on a 429, a 5xx or a connection error; a stream that breaks
// midway is not (its text was already shown), it returns the error.
func (c *Client) Complete(ctx context.Context, msgs []Message, onDelta func(string)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	req := openai.ChatCompletionRequest{
		Model:       c.cfg.Model,
		Temperature: c.cfg.Temperature,
		MaxTokens:   c.cfg.MaxTokens,
		Stream:      c.cfg.Stream,
	}
	for _, m := range msgs {
		req.Messages = append(req.Messages, openai.ChatCompletionMessage{Role: m.Role, Content: m.Content})
	}
	backoff := c.cfg.RetryBackoff
	for attempt := 0; ; attempt++ {
		text, started, err := c.once(ctx, req, onDelta)
		if err == nil {
			if strings.TrimSpace(text) == "" {
				return "", ErrEmpty
			}
			return text, nil
		}
		if started || attempt >= c.cfg.MaxRetries || !retryable(err) || ctx.Err() != nil {
			return "", fmt.Errorf("llm: %s: %w", c.cfg.Model, err)
		}
		if err := c.sleep(ctx, backoff); err != nil {
			return "", fmt.Errorf("llm: %s: waiting to retry: %w", c.cfg.Model, err)
		}
		backoff *= 2
	}
}

// once makes one request; started reports whether any text was handed to
// onDelta (a stream cut midway must not be replayed).
func (c *Client) once(ctx context.Context, req openai.ChatCompletionRequest, onDelta func(string)) (text string, started bool, err error) {
	if !req.Stream {
		resp, err := c.api.CreateChatCompletion(ctx, req)
		if err != nil {
			return "", false, err
		}
		if len(resp.Choices) == 0 {
			return "", false, ErrEmpty
		}
		return resp.Choices[0].Message.Content, false, nil
	}
	stream, err := c.api.CreateChatCompletionStream(ctx, req)
	if err != nil {
		return "", false, err
	}
	defer stream.Close()
	var b strings.Builder
	for {
		resp, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return b.String(), started, nil
		}
		if err != nil {
			return "", started, err
		}
		if len(resp.Choices) == 0 {
			continue
		}
		d := resp.Choices[0].Delta.Content
		if d == "" {
			continue
		}
		b.WriteString(d)
		started = true
		if onDelta != nil {
			onDelta(d)
		}
	}
}

// retryable reports whether trying again may succeed: rate limits, server
// errors and connection failures; never a 4xx or an undecodable reply.
func retryable(err error) bool {
	var apiErr *openai.APIError
	if errors.As(err, &apiErr) {
		return retryableStatus(apiErr.HTTPStatusCode)
	}
	var reqErr *openai.RequestError
	if errors.As(err, &reqErr) {
		if reqErr.HTTPStatusCode != 0 {
			return retryableStatus(reqErr.HTTPStatusCode)
		}
		err = reqErr.Err
	}
	var netErr net.Error
	return errors.As(err, &netErr) && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled)
}

func retryableStatus(code int) bool {
	return code == http.StatusTooManyRequests || code >= 500
}
