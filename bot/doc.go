// Package bot is the automated front line. Every customer message passes
// through its pipeline: guard (size, private-data masking), signals
// (frustration, severity topics, requests for a human, repetition), decide
// (answer, clarify or hand off), search the knowledge base and compose a
// cited answer. It talks to kb and handoff through their Go APIs, never SQL.
package bot
