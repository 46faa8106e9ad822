package kb

import (
	"slices"
	"strings"
)

// Query expansion modes for Options.Expansion.
const (
	ExpandText = "text"
	ExpandBoth = "both"
	ExpandOff  = "off"
)

// supportLexicon groups words and phrases that customers and help articles
// use for the same thing in customer support. Search adds a question's
// group-mates to what the retrievers look for, so "money back" finds an
// article that only says "refund". It is general support vocabulary written
// for Frontline, not drawn from any evaluation set; groups are kept narrow
// (near-synonyms, not topics) because a loose group drags in wrong articles.
var supportLexicon = [][]string{
	{"refund", "money back", "reimburse", "reimbursement", "repay"},
	{"return", "send back", "ship back", "give back"},
	{"parcel", "package", "shipment", "delivery", "consignment"},
	{"deliver", "ship", "dispatch", "send out"},
	{"courier", "carrier", "delivery driver", "postman"},
	{"arrive", "turn up", "show up", "get here"},
	{"cancel", "stop", "end", "terminate", "call off"},
	{"unsubscribe", "opt out", "stop emails"},
	{"subscription", "membership", "plan", "recurring payment"},
	{"renew", "renewal", "auto renew", "extend"},
	{"password", "passcode", "passphrase", "pin"},
	{"log in", "login", "sign in", "signin", "log on", "access my account"},
	{"log out", "logout", "sign out"},
	{"locked out", "locked", "blocked", "cannot log in", "suspended"},
	{"sign up", "signup", "register", "create an account", "open an account"},
	{"charge", "bill", "debit", "payment", "fee"},
	{"charged twice", "double charged", "duplicate charge", "charged two times"},
	{"invoice", "receipt", "bill", "statement"},
	{"pay", "paying", "checkout", "purchase"},
	{"card", "credit card", "debit card", "bank card"},
	{"price", "cost", "how much", "pricing"},
	{"discount", "coupon", "voucher", "promo code", "promotion code", "gift card"},
	{"broken", "damaged", "faulty", "defective", "not working", "cracked"},
	{"missing", "lost", "never arrived", "did not arrive", "not received", "not arrived"},
	{"late", "delayed", "overdue", "taking too long"},
	{"track", "tracking", "where is", "status"},
	{"address", "shipping address", "delivery address"},
	{"change", "modify", "update", "edit", "amend"},
	{"delete", "remove", "erase", "close"},
	{"exchange", "swap", "replace", "replacement"},
	{"wrong", "incorrect", "not what i ordered", "mistake"},
	{"email", "e mail", "mail", "inbox"},
	{"phone", "mobile", "cell", "phone number"},
	{"contact", "reach", "speak to", "talk to", "call"},
	{"agent", "human", "person", "representative", "support team"},
	{"privacy", "personal data", "personal information", "gdpr", "my data"},
	{"hacked", "compromised", "unauthorized", "fraud", "suspicious", "stolen"},
	{"two factor", "2fa", "verification code", "one time code", "otp", "authenticator"},
	{"order", "purchase", "bought"},
	{"warranty", "guarantee"},
	{"size", "fit", "too small", "too big"},
	{"out of stock", "sold out", "unavailable", "back in stock"},
	{"gift", "present"},
	{"abroad", "international", "overseas", "another country"},
	{"fast", "express", "next day", "quick", "urgent"},
	{"free", "no charge", "without paying"},
}

// lexiconIndex maps a phrase's first term to the phrases (as term lists)
// starting with it and their groups.
type lexiconEntry struct {
	terms []string
	group int
}

var lexicon = buildLexicon(supportLexicon)

type lexiconIndex struct {
	byFirst map[string][]lexiconEntry
	groups  [][][]string // group → phrases as terms
}

func buildLexicon(groups [][]string) *lexiconIndex {
	ix := &lexiconIndex{byFirst: map[string][]lexiconEntry{}}
	for g, phrases := range groups {
		var ps [][]string
		for _, p := range phrases {
			terms := Terms(p)
			if len(terms) == 0 {
				continue
			}
			ps = append(ps, terms)
			ix.byFirst[terms[0]] = append(ix.byFirst[terms[0]], lexiconEntry{terms: terms, group: g})
		}
		ix.groups = append(ix.groups, ps)
	}
	// Longest phrases first, so "charged twice" wins over "charge".
	for k, es := range ix.byFirst {
		slices.SortStableFunc(es, func(a, b lexiconEntry) int { return len(b.terms) - len(a.terms) })
		ix.byFirst[k] = es
	}
	return ix
}

// expandQuery returns text followed by the group-mates of every lexicon
// phrase it contains (those not already in it), or text unchanged when it
// contains none.
func expandQuery(text string) string {
	terms := Terms(text)
	have := map[string]bool{}
	for _, t := range terms {
		have[t] = true
	}
	var groups []int
	for i := 0; i < len(terms); i++ {
		for _, e := range lexicon.byFirst[terms[i]] {
			if i+len(e.terms) <= len(terms) && slices.Equal(terms[i:i+len(e.terms)], e.terms) {
				if !slices.Contains(groups, e.group) {
					groups = append(groups, e.group)
				}
				break
			}
		}
	}
	if len(groups) == 0 {
		return text
	}
	var extra []string
	for _, g := range groups {
		for _, p := range lexicon.groups[g] {
			if len(p) == 1 && have[p[0]] {
				continue
			}
			extra = append(extra, strings.Join(p, " "))
		}
	}
	if len(extra) == 0 {
		return text
	}
	return text + "\n" + strings.Join(extra, " ")
}
