// Package widget owns the customer channel: the embeddable chat widget
// (JavaScript and CSS in a shadow DOM, served from the binary), the customer
// websocket endpoint and its versioned protocol (see PROTOCOL.md), visitor
// tokens and identity verification, the origin allowlist, rate limits, and the
// demo page. It relays answers; it never decides them.
package widget
