package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot"
)

// fakeModel is an OpenAI-compatible chat endpoint whose answer the test
// writes from the request's system prompt.
func fakeModel(t *testing.T, stream bool, answer func(system string) string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Messages []struct{ Role, Content string } `json:"messages"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Messages) == 0 {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		text := answer(req.Messages[0].Content)
		if text == "<malformed>" {
			fmt.Fprint(w, `{"choices":[{"message":{"content":"Go to`)
			return
		}
		if !stream {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"id":"x","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":%q}}]}`, text)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		for _, word := range strings.SplitAfter(text, " ") {
			fmt.Fprintf(w, "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":%q}}]}\n\n", word)
			w.(http.Flusher).Flush()
		}
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

func withModel(url string, stream bool) func(*bot.Config, *bot.Deps) {
	return func(c *bot.Config, _ *bot.Deps) {
		c.LLM.BaseURL, c.LLM.Model, c.LLM.Stream, c.LLM.APIKey = url, "test-model", stream, "sk-test"
	}
}

func TestGeneratedAnswersAreChecked(t *testing.T) {
	t.Parallel()
	art, err := mustDemoKB(t).ArticleBySlug(context.Background(), "reset-password")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		reply    string
		composer string
		rejected string // substring of the reason, for fallbacks
	}{
		{"grounded", "Go to Account, then Security, and choose Change password [" + art.ID + "].", "llm", ""},
		{"hallucinated citation", "Call our hotline to reset it [art_madeup].", "extractive", "did not retrieve"},
		{"no citation", "Go to Account, then Security, and choose Change password.", "extractive", "cites no passage"},
		{"unsupported", "Our Paris boutique resets passwords over espresso every Sunday morning [" + art.ID + "].", "extractive", "words are in its sources"},
		{"invented number", "Go to Account, then Security; the change takes 48 hours [" + art.ID + "].", "extractive", `states "48"`},
		{"declines", "NO_ANSWER", "extractive", "no answer"},
		{"malformed reply", "<malformed>", "extractive", "llm"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			url := fakeModel(t, false, func(system string) string {
				if !strings.Contains(system, "["+art.ID+"]") {
					return "the prompt lacked the retrieved passage"
				}
				return tc.reply
			})
			f := setup(t, withModel(url, false))
			c := f.newConversation(t)
			reply := onlyReply(t, f.say(t, c, "How do I reset my password?"))
			if reply.Meta.Kind != bot.KindAnswer || len(reply.Meta.Citations) != 1 || reply.Meta.Citations[0].ArticleID != art.ID {
				t.Fatalf("reply %s with citations %+v, want an answer citing %s", reply.Meta.Kind, reply.Meta.Citations, art.ID)
			}
			if strings.Contains(reply.Body, "[art_") || !strings.Contains(reply.Body, "/kb/reset-password") {
				t.Fatalf("body %q, want no raw citation marks and a link to the source", reply.Body)
			}
			var sd bot.SearchData
			if err := json.Unmarshal(f.events(t, c.ID, frontline.EventSearch)[0].Data, &sd); err != nil {
				t.Fatal(err)
			}
			if sd.Composer != tc.composer || !strings.Contains(sd.Rejected, tc.rejected) {
				t.Fatalf("composer %q rejected %q, want %q rejected containing %q", sd.Composer, sd.Rejected, tc.composer, tc.rejected)
			}
			if tc.composer == "llm" && !strings.HasPrefix(reply.Body, "Go to Account, then Security, and choose Change password.") {
				t.Fatalf("body %q, want the generated answer", reply.Body)
			}
		})
	}
}

type draftRecorder struct {
	mu     sync.Mutex
	drafts []string
}

func (d *draftRecorder) Draft(ctx context.Context, conv string, replyTo int64, text string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.drafts = append(d.drafts, text)
}

func TestStreamedAnswerIsDraftedThenPostedOnce(t *testing.T) {
	t.Parallel()
	art, err := mustDemoKB(t).ArticleBySlug(context.Background(), "reset-password")
	if err != nil {
		t.Fatal(err)
	}
	url := fakeModel(t, true, func(string) string {
		return "Go to Account, then Security, and choose Change password [" + art.ID + "]."
	})
	drafts := &draftRecorder{}
	f := setup(t, withModel(url, true), func(_ *bot.Config, d *bot.Deps) { d.Drafts = drafts })
	c := f.newConversation(t)
	reply := onlyReply(t, f.say(t, c, "How do I reset my password?"))
	if !strings.HasPrefix(reply.Body, "Go to Account, then Security, and choose Change password.") {
		t.Fatalf("body %q, want the streamed answer", reply.Body)
	}
	drafts.mu.Lock()
	defer drafts.mu.Unlock()
	if len(drafts.drafts) < 3 || !strings.HasPrefix(drafts.drafts[len(drafts.drafts)-1], "Go to Account") {
		t.Fatalf("drafts = %q, want the answer growing piece by piece", drafts.drafts)
	}
	for _, d := range drafts.drafts {
		if strings.Contains(d, "[art_") {
			t.Fatalf("draft %q shows a raw citation mark", d)
		}
	}
}

func TestGeneratedSummary(t *testing.T) {
	t.Parallel()
	url := fakeModel(t, false, func(system string) string {
		if strings.HasPrefix(system, "Summarise") {
			return "Ada wants a person after asking about a reset."
		}
		return "NO_ANSWER"
	})
	f := setup(t, withModel(url, false), func(c *bot.Config, _ *bot.Deps) { c.LLM.Summaries = true })
	c := f.newConversation(t)
	f.say(t, c, "I want to talk to a person")
	e, err := f.handoff.Entry(ctx(t), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if e.Packet.Summary != "Ada wants a person after asking about a reset." {
		t.Fatalf("summary = %q, want the model's", e.Packet.Summary)
	}
}
