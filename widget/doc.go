// Package widget owns the customer channel: the embeddable chat widget
// (JavaScript and CSS in a shadow DOM, served from the binary), the customer
// websocket endpoint and its versioned protocol (see PROTOCOL.md), visitor
// tokens and identity verification, the origin allowlist, rate limits, each
// site's look (its settings: the sites config file and an admin API), and the
// demo page. It relays answers; it never decides them.
package widget
