package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// option is one row of the configuration table: its environment variable,
// flag, default and meaning. README.md documents exactly these rows (a test
// keeps them in step).
type option struct {
	Env, Flag, Default, Help string
	Secret                   bool
	// Bool options are flags that need no value: --migrate means true.
	Bool bool
}

var options = []option{
	{Env: "FRONTLINE_ADDR", Flag: "addr", Default: "127.0.0.1:8080", Help: "address to listen on (host:port; :0 picks a free port)"},
	{Env: "DATABASE_URL", Flag: "database-url", Help: "PostgreSQL connection string; empty runs on the in-memory store (nothing durable). Its pool_max_conns parameter sizes the pool (default 8 per CPU + 8)", Secret: true},
	{Env: "FRONTLINE_MIGRATE", Flag: "migrate", Default: "false", Bool: true, Help: "apply database migrations at start-up"},
	{Env: "FRONTLINE_WAIT_FOR_DB", Flag: "wait-for-db", Default: "false", Bool: true, Help: "keep retrying an unreachable database (with backoff) instead of exiting; /readyz says why"},
	{Env: "FRONTLINE_SHUTDOWN_TIMEOUT", Flag: "shutdown-timeout", Default: "10s", Help: "how long SIGTERM waits for connections and writes to finish"},
	{Env: "FRONTLINE_RETENTION_DAYS", Flag: "retention-days", Default: "0", Help: "delete conversations inactive for this many days, with their messages, events, hand-off records, SLA timers and recorded questions, and phrasing candidates not accepted (hourly; queued and assigned conversations are kept); 0 keeps everything forever"},
	{Env: "FRONTLINE_LOG_LEVEL", Flag: "log-level", Default: "info", Help: "debug, info, warn or error"},
	{Env: "FRONTLINE_LOG_FORMAT", Flag: "log-format", Default: "text", Help: "text or json"},
	{Env: "FRONTLINE_PUBLIC_URL", Flag: "public-url", Help: "the URL customers reach this server at (links in answers); default http://ADDR"},
	{Env: "FRONTLINE_ADMIN_TOKEN", Flag: "admin-token", Help: "bearer token that opens /metrics (Prometheus), /debug/widget/stats and /debug/pprof/ (16+ characters; loopback gets no exception; unset, they answer 404); people sign in with accounts (frontline user add) and automation uses their API tokens", Secret: true},
	{Env: "FRONTLINE_TOKEN_SECRET", Flag: "token-secret", Help: "key that signs visitor tokens; random per process when empty (visitors lose their thread on restart)", Secret: true},
	{Env: "FRONTLINE_SITES", Flag: "sites", Default: "demo=http://localhost:8080,http://127.0.0.1:8080", Help: "widget sites: key=origin,origin;key2=origin. The demo page at / and its site key demo exist only when this lists demo (\"demo=\" alone is enough); the page's own origin, from --public-url, is then allowed for it"},
	{Env: "FRONTLINE_SITES_CONFIG", Flag: "sites-config", Help: "YAML file of widget sites: origins and each site's look (display name, accent colour, greeting, avatar, launcher position, suggested articles), stored at start-up (README: Sites config); its sites join those of --sites"},
	{Env: "FRONTLINE_BUSINESS_HOURS", Flag: "business-hours", Help: "removed: business hours are per team, with holidays (hours in --people-config or PUT /api/admin/teams/{id}); setting it stops start-up with that hint"},
	{Env: "FRONTLINE_TRUSTED_PROXIES", Flag: "trusted-proxies", Help: "reverse proxies whose X-Forwarded-For is believed, e.g. \"10.0.0.0/8,192.168.1.7\"; empty believes none (behind a proxy every customer then shares its address for the per-address limits)"},
	{Env: "FRONTLINE_WIDGET_LIMITS", Flag: "widget-limits", Help: "widget limits over the defaults, e.g. \"frames_per_second=5,ip_max_connections=100\" (keys in widget/PROTOCOL.md); a load test from one address needs the ip_ ones raised"},
	{Env: "FRONTLINE_IDENTITY_SECRET", Flag: "identity-secret", Help: "HMAC secret sites use to sign customer ids (identity verification); empty disables it", Secret: true},
	{Env: "FRONTLINE_DEMO_KB", Flag: "demo-kb", Default: "auto", Help: "load the bundled demo knowledge base (Acme Outfitters) and show its demo shop at /: auto (only on the in-memory store), true or false; otherwise / is a plain page linking the help centre"},
	{Env: "FRONTLINE_HELP_CENTRE_NAME", Flag: "help-centre-name", Help: "the name atop every help-centre page (/kb/) and the home page, e.g. \"Acme Outfitters help\"; empty: \"Acme Outfitters help\" on the demo, else \"Help centre\""},
	{Env: "FRONTLINE_HELP_CENTRE_COLOR", Flag: "help-centre-color", Default: "#1f5f99", Help: "the help centre's accent colour (#rrggbb): its header, links and buttons"},
	{Env: "FRONTLINE_SEARCH_THRESHOLD", Flag: "search-threshold", Help: "confidence (0 to 1) below which the bot says it has no confident answer and offers a person (default: the built-in calibrated threshold)"},
	{Env: "FRONTLINE_KB_AUTO_ACCEPT", Flag: "kb-auto-accept", Help: "learned phrasings accepted without an editor's review, by what resolved the question: agent, picked or \"agent,picked\"; empty: editors review every candidate"},
	{Env: "FRONTLINE_EMBEDDER", Flag: "embedder", Default: "offline", Help: "offline (built in, no network) or openai (any OpenAI-compatible endpoint)"},
	{Env: "FRONTLINE_EMBEDDINGS_URL", Flag: "embeddings-url", Help: "base URL of the OpenAI-compatible embeddings endpoint"},
	{Env: "FRONTLINE_EMBEDDINGS_KEY", Flag: "embeddings-key", Help: "API key for the embeddings endpoint", Secret: true},
	{Env: "FRONTLINE_EMBEDDINGS_MODEL", Flag: "embeddings-model", Help: "embeddings model name"},
	{Env: "FRONTLINE_EMBEDDINGS_DIMENSION", Flag: "embeddings-dimension", Help: "embedding dimension the model returns"},
	{Env: "FRONTLINE_LLM_URL", Flag: "llm-url", Help: "base URL of an OpenAI-compatible chat endpoint; empty answers extractively, with no LLM"},
	{Env: "FRONTLINE_LLM_KEY", Flag: "llm-key", Help: "API key for the chat endpoint", Secret: true},
	{Env: "FRONTLINE_LLM_MODEL", Flag: "llm-model", Help: "chat model name"},
	{Env: "FRONTLINE_PEOPLE_CONFIG", Flag: "people-config", Help: "YAML file of teams (with business hours), agents by user id, SLA policies and canned replies, stored at start-up (README: People config); the in-memory demo seeds a default desk without it"},
	{Env: "FRONTLINE_BOT_CONFIG", Flag: "bot-config", Help: "JSON file overriding the bot's replies, thresholds and hand-off policy (tier, team, priority per signal)"},
	{Env: "FRONTLINE_SIGNAL_CONFIG", Flag: "signal-config", Help: "YAML or JSON file overriding the detectors' cues, word lists and thresholds (frustration, human request, severity)"},
}

// stringValue is a flag.Value keeping the text; boolean options accept a
// bare --flag.
type stringValue struct {
	s      string
	isBool bool
	secret bool
}

func (v *stringValue) String() string     { return v.s }
func (v *stringValue) Set(s string) error { v.s = s; return nil }
func (v *stringValue) IsBoolFlag() bool   { return v.isBool }

// argName names the value in help: a duration when the default is one.
func (v *stringValue) argName() string {
	if _, err := time.ParseDuration(v.s); err == nil {
		return "duration"
	}
	return "string"
}

// hideDefault keeps a secret read from the environment out of help.
func (v *stringValue) hideDefault() bool { return v.secret }

// settings holds option values by flag name after env and flags are read.
type settings map[string]string

// parseSettings reads every option from the environment and then from the
// flags in args, which win.
func parseSettings(fs *flag.FlagSet, args []string, getenv func(string) string) (settings, error) {
	s := settings{}
	values := map[string]*string{}
	for _, o := range options {
		def := o.Default
		if v := getenv(o.Env); v != "" {
			def = v
		}
		help := o.Help + " (env " + o.Env + ")"
		v := &stringValue{s: def, isBool: o.Bool, secret: o.Secret}
		fs.Var(v, o.Flag, help)
		values[o.Flag] = &v.s
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	for k, v := range values {
		s[k] = strings.TrimSpace(*v)
	}
	return s, nil
}

// env returns the value of the option read from environment variable name,
// after flags: code shared with commands that read the environment directly
// sees the same configuration as serve.
func (s settings) env(name string) string {
	for _, o := range options {
		if o.Env == name {
			return s[o.Flag]
		}
	}
	return ""
}

func (s settings) bool(name string) (bool, error) {
	v := s[name]
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("--%s: %q is not true or false", name, v)
	}
	return b, nil
}

func (s settings) duration(name string) (time.Duration, error) {
	d, err := time.ParseDuration(s[name])
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--%s: %q is not a duration such as 10s", name, s[name])
	}
	return d, nil
}

// count reads a whole number of at least 0; empty is 0.
func (s settings) count(name string) (int, error) {
	v := s[name]
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("--%s: %q is not a whole number of 0 or more", name, v)
	}
	return n, nil
}

func (s settings) float(name string) (float64, bool, error) {
	v := s[name]
	if v == "" {
		return 0, false, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, false, fmt.Errorf("--%s: %q is not a number", name, v)
	}
	return f, true, nil
}

// parseSites reads "key=origin,origin;key2=origin"; "key=" lists a site
// with no origins of its own (the demo, whose page's origin is added).
func parseSites(v string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, part := range strings.Split(v, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, origins, ok := strings.Cut(part, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, fmt.Errorf("--sites: %q is not key=origin,origin", part)
		}
		if _, seen := out[key]; !seen {
			out[key] = nil
		}
		for _, o := range strings.Split(origins, ",") {
			if o = strings.TrimSpace(o); o != "" {
				out[key] = append(out[key], o)
			}
		}
	}
	return out, nil
}

// configTableMarkdown renders the options as the README's table.
func configTableMarkdown() string {
	var b strings.Builder
	b.WriteString("| environment | flag | default | meaning |\n| --- | --- | --- | --- |\n")
	for _, o := range options {
		def := o.Default
		if def == "" {
			def = "—"
		}
		help := o.Help
		if o.Secret {
			help += " **(secret: never logged)**"
		}
		fmt.Fprintf(&b, "| `%s` | `--%s` | `%s` | %s |\n", o.Env, o.Flag, def, strings.ReplaceAll(help, "|", "\\|"))
	}
	return b.String()
}

// secretValues lists the configured secret values, for scrubbing logs.
func (s settings) secretValues() []string {
	var out []string
	for _, o := range options {
		if o.Secret && len(s[o.Flag]) >= 6 {
			out = append(out, s[o.Flag])
		}
	}
	sort.Strings(out)
	return out
}

func getenvOS(k string) string { return os.Getenv(k) }
