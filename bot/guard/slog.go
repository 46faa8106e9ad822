package guard

import (
	"context"
	"fmt"
	"log/slog"
)

// ReplaceAttr masks private data in a log attribute's value. Use it as
// slog.HandlerOptions.ReplaceAttr when building a handler; NewHandler also
// masks the log message itself and attributes added with With.
func (g *Guard) ReplaceAttr(_ []string, a slog.Attr) slog.Attr {
	a.Value = g.maskValue(a.Value)
	return a
}

func (g *Guard) maskValue(v slog.Value) slog.Value {
	v = v.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.StringValue(g.Mask(v.String()).Text)
	case slog.KindGroup:
		attrs := v.Group()
		masked := make([]slog.Attr, len(attrs))
		for i, a := range attrs {
			masked[i] = slog.Attr{Key: a.Key, Value: g.maskValue(a.Value)}
		}
		return slog.GroupValue(masked...)
	case slog.KindAny:
		// Errors, byte slices and structs print as text that may quote a
		// customer's message: mask the printed form when it holds a secret.
		var s string
		switch x := v.Any().(type) {
		case error:
			s = x.Error()
		case []byte:
			s = string(x)
		default:
			s = fmt.Sprint(x)
		}
		if m := g.Mask(s); len(m.Spans) > 0 {
			return slog.StringValue(m.Text)
		}
	}
	return v
}

// Handler is an slog.Handler that masks private data in every message and
// attribute before passing the record on, so secrets never reach logs.
type Handler struct {
	next  slog.Handler
	guard *Guard
}

// NewHandler wraps next so that everything logged through it is masked by g.
func NewHandler(next slog.Handler, g *Guard) *Handler {
	return &Handler{next: next, guard: g}
}

// Enabled reports whether next handles level.
func (h *Handler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle masks r's message and attributes and hands the copy to next.
func (h *Handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.guard.Mask(r.Message).Text, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.guard.ReplaceAttr(nil, a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs masks attrs once, when they are attached.
func (h *Handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	masked := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		masked[i] = h.guard.ReplaceAttr(nil, a)
	}
	return &Handler{next: h.next.WithAttrs(masked), guard: h.guard}
}

// WithGroup opens a group on next.
func (h *Handler) WithGroup(name string) slog.Handler {
	return &Handler{next: h.next.WithGroup(name), guard: h.guard}
}

var _ slog.Handler = (*Handler)(nil)
