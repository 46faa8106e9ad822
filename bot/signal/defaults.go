package signal

import "github.com/frontlinehq/frontline"

// DefaultConfig returns the shipped detector configuration. The cues are
// written from customer-support practice in English, Spanish, French,
// German, Portuguese and Dutch; operators extend them with LoadConfig.
func DefaultConfig() Config {
	return Config{
		Negators: []string{"not", "no", "never", "nothing", "without", "hardly", "neither", "nor",
			"isnt", "arent", "wasnt", "werent", "dont", "doesnt", "didnt", "wont", "havent", "hasnt", "hadnt", "wouldnt", "shouldnt",
			"ni", "nunca", "tampoco", "pas", "jamais", "ne", "nicht", "kein", "keine", "keinen", "nie",
			"niet", "geen", "nooit", "nao", "nem"},
		NegationWindow: 3,
		Frustration:    defaultFrustration(),
		HumanRequest:   defaultHumanRequest(),
		Severity:       defaultSeverity(),
		Repetition:     defaultRepetition(),
	}
}

func defaultFrustration() FrustrationConfig {
	return FrustrationConfig{
		Threshold:        0.5,
		CarryOver:        0.6,
		RepetitionWeight: 0.3,
		Cues: []Cue{
			{Name: "insult", Weight: 0.6, Negatable: true, Phrases: []string{
				"useless", "incompetent", "incompetence", "idiot", "idiots", "idiotic", "stupid", "pathetic",
				"ridiculous", "a joke", "clowns", "clown show", "scam", "scammers", "worst", "terrible", "awful",
				"garbage", "rubbish", "trash", "horrible", "disgrace", "disgraceful", "shameful", "unacceptable",
				"nonsense", "laughable", "absurd", "appalling", "atrocious", "a nightmare", "amateurs", "morons",
				"dumb bot", "stupid bot", "crap service", "lousy", "hopeless", "shocking", "disgusted", "disgusting", "appalled",
				"horrendous", "a mess", "shambles", "joke of a", "clueless", "sucks",
				// es / fr / de / pt / nl
				"inutil", "inutiles", "incompetentes", "ridiculo", "vergonzoso", "una verguenza", "pesimo", "penoso",
				"inadmissible", "inacceptable", "nul", "nuls", "lamentable", "honteux", "scandaleux", "minable",
				"nutzlos", "unfahig", "lacherlich", "unverschamt", "frechheit", "inakzeptabel", "katastrophe", "katastrophal", "eine zumutung",
				"inutil", "ridiculo", "absurdo", "inaceitavel", "vergonha", "pessimo", "lamentavel",
				"belachelijk", "onacceptabel", "schandalig", "waardeloos", "nutteloos", "onbekwaam", "een grap",
			}},
			{Name: "anger_word", Weight: 0.6, Negatable: true, Phrases: []string{
				"angry", "furious", "livid", "annoyed", "frustrated", "frustrating", "pissed", "fed up", "sick of",
				"sick and tired", "had enough", "upset", "mad", "outraged", "infuriating", "irritated", "exasperated",
				"fuming", "seething", "irate", "so annoying", "really annoying", "annoying",
				"enfadado", "enfadada", "harto", "harta", "furioso", "furiosa", "cabreado", "indignado",
				"en colere", "furieux", "furieuse", "marre", "ras le bol", "agace", "exaspere",
				"wutend", "sauer", "verargert", "genervt", "es reicht",
				"irritado", "irritada", "chateado", "chateada", "cansado de", "farto", "furioso",
				"boos", "woedend", "geirriteerd", "ik ben het zat", "het zat",
			}},
			{Name: "disappointed", Weight: 0.4, Negatable: true, Phrases: []string{
				"disappointed", "disappointing", "not happy", "unhappy", "not impressed", "gutted", "decepcionado", "decu", "decue", "enttauscht", "decepcionada", "teleurgesteld",
			}},
			{Name: "profanity", Weight: 0.5, Group: "profanity", Phrases: []string{
				"fuck*", "f*ck*", "f**k*", "f***", "f***ing", "shit", "shitty", "crap", "crappy", "damn", "damned", "wtf", "bullshit",
				"ffs", "for fucks sake", "bloody hell", "effing", "freaking", "frickin", "sh*t", "s**t", "pissed off", "hell is going on", "screw you", "piss off",
				"mierda", "joder", "putain", "merde", "bordel", "scheisse", "scheiss", "verdammt", "porra", "merda", "caralho",
				"kut", "godverdomme", "verdomme", "klote",
			}},
			{Name: "exasperation", Weight: 0.5, Phrases: []string{
				"seriously", "are you kidding", "you have got to be kidding", "you've got to be kidding", "unbelievable",
				"come on", "how hard is it", "how hard can it be", "how many times", "are you even reading",
				"are you even listening", "do you even read", "read my message", "read what i wrote", "not listening",
				"you people", "why is it so hard", "for god's sake", "for crying out loud", "give me a break",
				"what is wrong with you", "what's wrong with you", "what the hell", "what the heck", "jesus",
				"en serio", "no puede ser", "increible", "c'est pas possible", "serieusement", "c'est une blague",
				"ernsthaft", "das gibt es doch nicht", "das kann doch nicht wahr sein", "serio", "fala serio", "inacreditavel",
				"meen je dat nou", "dit kan toch niet", "ongelooflijk",
			}},
			{Name: "exasperation_mild", Weight: 0.3, Phrases: []string{"ugh", "omg", "jeez", "sigh", "smh", "argh", "🙄"}},
			{Name: "angry_emoji", Weight: 0.5, Phrases: []string{"😡", "🤬", "😤", "👎"}},
			{Name: "useless_help", Weight: 0.6, Phrases: []string{
				"this is useless", "not helpful", "no help", "not helping", "doesn't help", "did not help", "didn't help",
				"you're not helping", "waste of time", "waste of my time", "wasting my time", "pointless", "going in circles",
				"not what i asked", "that's not what i asked", "you didn't answer", "doesn't answer my question",
				"no sirve", "no me ayuda", "perdida de tiempo", "ca ne sert a rien", "perte de temps", "vous ne m'aidez pas",
				"hilft mir nicht", "zeitverschwendung", "nao ajuda", "perda de tempo", "helpt niet", "tijdverspilling",
			}},
			{Name: "still_broken", Weight: 0.35, Phrases: []string{
				"still not", "still no", "still nothing", "still hasn't", "still haven't", "still isn't", "still doesn't",
				"still don't", "still can't", "still waiting", "still broken", "yet again", "once again", "again?",
				"again!", "nobody has", "no one has", "nobody answers", "no one answers", "no response", "no reply",
				"been waiting", "waiting for days", "waiting for weeks", "for days now", "for weeks now", "ignored",
				"ignoring me", "keeps happening", "every single time",
				"todavia no", "sigo esperando", "otra vez", "toujours pas", "toujours rien", "j'attends toujours", "encore une fois",
				"immer noch nicht", "immer noch kein", "schon wieder", "warte immer noch", "ainda nao", "de novo", "outra vez",
				"nog steeds niet", "nog steeds geen", "alweer", "wacht nog steeds",
			}},
			{Name: "already_said", Weight: 0.45, Phrases: []string{
				"as i said", "as i already said", "like i said", "i already told you", "i already said", "i've already explained",
				"i already explained", "as previously stated", "as previously mentioned", "as already mentioned",
				"per my last message", "per my previous message", "i have already", "i've already asked", "i already asked",
				"como ya dije", "ya lo dije", "comme je l'ai dit", "je l'ai deja dit", "wie gesagt", "wie bereits erwahnt",
				"como eu disse", "ja disse", "zoals ik al zei", "zoals gezegd",
			}},
			{Name: "nth_time", Weight: 0.55, Patterns: []string{
				`\b(second|third|fourth|fifth|sixth|tenth|umpteenth|nth|2nd|3rd|4th|5th|\d+th) time\b`,
				`\b(three|four|five|six|several|multiple|many|3|4|5|6) times\b`,
				`\b(twice|two times) (already|now|before)\b`,
				`\b(segunda|tercera|cuarta|quinta) vez\b`, `\b(deuxieme|troisieme|quatrieme|cinquieme) fois\b`,
				`\b(zweiten|dritten|vierten|funften) mal\b`, `\b(segunda|terceira|quarta|quinta) vez\b`,
				`\b(tweede|derde|vierde|vijfde) keer\b`,
			}},
			{Name: "sarcasm", Weight: 0.6, Patterns: []string{
				`\b(great|perfect|wonderful|fantastic|brilliant|lovely|awesome|nice|excellent)[\s,.!]+(just|simply|really|absolutely)[\s,]+(great|perfect|wonderful|fantastic|brilliant|lovely|awesome|nice|excellent)\b`,
				`\boh,? (great|perfect|wonderful|joy|fantastic|brilliant|lovely|nice|sure)\b`,
				`\bjust (perfect|wonderful|brilliant|fantastic|lovely|what i needed)\b`,
				`\bthanks? (a lot )?for nothing\b`, `\byeah,? right\b`, `\bwhat a (surprise|shock)\b`,
				`\b(big|no) surprise\b`, `\bhow (nice|convenient|lovely|wonderful)\b`, `\bwow,? (thanks|really|just wow|great)\b`,
				`\b(love|loving) (how|that|it when) (you|i have|i need|nothing|it)\b`, `\bbravo\b`, `\bslow clap\b`,
				`\bsurprise me\b`, `\bi bet (?:you|it|this)\b`,
				`\banother (?:useless |pointless |generic |canned |automated |copy-paste )?(?:faq|link|canned|automated|generic|scripted|template)\b`,
				`\bmerci pour rien\b`, `\bgracias por nada\b`, `\bdanke fur nichts\b`, `\bobrigad[oa] por nada\b`, `\bbedankt voor niets\b`,
				`\b(genial|super|parfait|toll|prima|otimo|geweldig),? (justement|vraiment|wirklich|echt|de verdad)?\s*(genial|super|parfait|toll|prima|otimo|geweldig)\b`,
			}},
			{Name: "threat_to_leave", Weight: 0.6, Patterns: []string{
				`\b(i'?m|i am|we'?re|we are) (going to |gonna |about to )?(cancel|leave|leaving|switch|switching|done with)\b`,
				`\b(i'?ll|i will|we'?ll|we will) (cancel|leave|switch|go elsewhere|take my business)\b`,
				`\btake my (business|money) elsewhere\b`, `\b(switch|switching|move|moving|go|going) to (another|a different|a competitor|your competitor|amazon)\b`,
				`\bnever (order|ordering|buy|buying|shop|shopping|use|using)\b.{0,20}\bagain\b`,
				`\blast time i (order|buy|shop|use)`, `\b(lost|losing) (a|me as a|another) customer\b`, `\byou('ve| have)? lost me\b`,
				`\b(leave|leaving|write|writing|post|posting) (a )?(bad|negative|1.star|one.star) review\b`, `\btrustpilot\b`,
				`\bme voy a (ir|cambiar)\b`, `\bnunca mas (compro|comprare|pido)\b`, `\bje vais (partir|aller ailleurs|resilier)\b`,
				`\bplus jamais\b`, `\bnie wieder\b`, `\bich (gehe|wechsle) zur konkurrenz\b`, `\bnunca mais (compro|vou comprar)\b`,
				`\bnooit meer\b`, `\bik stap over\b`,
			}},
			{Name: "no_one_answers", Weight: 0.4, Patterns: []string{
				`\b(?:no one|nobody|noone|no-one) (?:has |ever |even )?(?:got|gotten|gets|replied|replies|responded|responds|answered|answers|called|calls|contacted|helped|helps|bothered|cares|listens)\b`,
				`\b(?:never|haven't|have not|still haven't) (?:heard|got|gotten|had) (?:back|a (?:reply|response|answer|call))\b`,
				`\bstill no (?:answer|reply|response|update|word|news|refund|sign)\b`,
				`\b(?:waited|waiting|been waiting) (?:for )?(?:over |more than |almost |nearly |about )?(?:\d+|two|three|four|five|six|several|many|a few) (?:days|weeks|months|hours)\b`,
				`\b(?:nadie (?:me )?(?:responde|contesta|ayuda)|llevo .{0,20}esperando)\b`, `\b(?:personne ne (?:repond|m'aide)|j'attends depuis|ca fait .{0,20} que j'attends)\b`,
				`\b(?:niemand (?:antwortet|meldet sich|hilft)|keiner meldet sich|warte seit)\b`, `\b(?:ninguem (?:responde|ajuda)|estou esperando ha)\b`,
				`\b(?:niemand reageert|ik wacht al)\b`,
			}},
			{Name: "losing_patience", Weight: 0.5, Patterns: []string{
				`\b(?:losing|lost|running out of|run out of) (?:my |all )?patience\b`, `\b(?:i'?ve|i have) been (?:very |more than |extremely )?patient\b`,
				`\benough is enough\b`, `\bi give up\b`, `\bi'?m done\b`, `\blast chance\b`, `\bfinal warning\b`,
				`\b(?:what kind of|what sort of) (?:service|company|business|shop|support|joke) is this\b`, `\bis this how you treat\b`,
				`\bhow is this (?:acceptable|ok|okay|possible|legal)\b`, `\b(?:this is|that's|that is|it's) not (?:ok|okay|acceptable|good enough|fair|right)\b`,
				`\bnot good enough\b`, `\bcan'?t believe\b`, `\bwhat a (?:mess|joke|shambles|farce|disaster)\b`, `\b(?:talking|talk) to a (?:brick )?wall\b`,
				`\b(?:round|around) in circles\b`, `\b(?:you|you guys|you people) (?:never|always|keep)\b`, `\b(?:this|it|that|your (?:service|company|app|site)) sucks\b`,
				`\bwhy (?:is it|is this|does it have to be) so (?:hard|difficult|complicated)\b`, `\bwhy (?:can't|cannot|won't) you (?:just|simply)\b`,
				`\bwhy (?:do i|should i) have to\b`, `\bwhy (?:has|hasn't|is|isn't|does|doesn't) (?:nobody|no one|anyone)\b`,
				`\b(?:just|simply) answer (?:the|my) question\b`, `\b(?:a |an )?(?:simple|straight|proper|real|actual) (?:question|answer)\b`,
				`\b(?:you're|you are|you) not (?:understanding|getting it|listening)\b`, `\byou (?:don't|do not) (?:understand|get it)\b`,
				`\b(?:already|i) tried (?:that|this|it|everything)\b`, `\bi (?:already )?did (?:that|this|it) already\b`, `\b(?:doesn't|does not|didn't|did not) work!`,
				`\bstop (?:sending|telling|giving|asking) me\b`, `\b(?:i want|give me) my money back\b`,
				`\b(?:una tomadura de pelo|que desastre|vaya servicio|no es normal|estoy cansad[oa])\b`, `\b(?:c'est n'importe quoi|j'en ai assez|quelle blague)\b`,
				`\b(?:das ist (?:doch )?ein witz|saftladen|ich habe die nase voll|mir reicht'?s)\b`, `\b(?:um descaso|palhacada|falta de respeito|nao aguento mais)\b`,
				`\b(?:ik ben er klaar mee|bagger|slechte service)\b`,
			}},
			{Name: "legal_threat", Weight: 0.6, Patterns: []string{
				`\b(?:i'?ll|i will|i'?m going to|i am going to|we will|or i) (?:report you|sue|take (?:you|this|it) to|file a (?:complaint|claim|chargeback)|contact my lawyer|get my lawyer|go to the (?:press|media|regulator))\b`,
				`\bsee you in court\b`, `\byou(?:'ll| will) be hearing from my (?:lawyer|attorney|solicitor)\b`,
			}},
			{Name: "broken_again", Weight: 0.35, Patterns: []string{
				`\b(?:down|broken|failing|crashed|crashing|wrong|late|missing|charged|not working|stuck) again\b`,
			}},
			{Name: "paying_for_this", Weight: 0.3, Patterns: []string{
				`\b(?:i'?m|i am|we'?re|we are) paying (?:you )?(?:for this|good money|\S+ (?:a|per|every) (?:month|year|week))\b`, `\bwhat am i paying (?:you )?for\b`,
			}},
			{Name: "demand_now", Weight: 0.3, Phrases: []string{
				"right now", "immediately", "asap", "i demand", "i expect", "fix this", "sort this out", "do your job",
				"ya mismo", "inmediatamente", "tout de suite", "sofort", "imediatamente", "nu meteen", "onmiddellijk",
			}},
		},
		Shouting: ShoutingConfig{
			Name: "shouting_caps", WordWeight: 0.25, MaxWeight: 0.5, MinLetters: 2,
			Acronyms: []string{"PRO", "SSO", "API", "FAQ", "USA", "US", "UK", "EU", "ID", "OK", "VAT", "GDPR", "PDF",
				"CSV", "SMS", "TV", "PC", "IBAN", "BIC", "CVV", "CVC", "PIN", "SSN", "DPO", "IT", "HR", "CEO", "VIP",
				"USD", "EUR", "GBP", "AM", "PM", "DHL", "UPS", "USPS", "FEDEX", "DPD", "GLS", "XL", "XXL", "XS", "2FA",
				"MFA", "OTP", "URL", "iOS", "MAC", "IOS", "ASAP", "FYI", "AI", "BTW", "TBH", "NL", "DE", "FR", "ES", "PT",
				"SEPA", "VPN", "QR", "LED", "HD", "UV", "DIY", "NYC", "LA", "PS", "TVA", "IVA", "MWST", "NIF", "DNI",
				"RMA", "SKU", "ETA", "POS", "ATM", "BBB", "FTC", "ICO", "CNIL", "AEPD", "ACM", "GPS", "USB", "HDMI", "RSVP",
				"LOL", "WIFI", "DSAR", "CCPA", "HIPAA", "KYC", "AML", "ISP", "SIM", "IMEI"},
		},
		Punctuation: PunctuationConfig{Name: "shouting_punctuation", Weight: 0.3, MinRun: 2},
		Excusers: []Excuser{
			{Cue: Cue{Name: "enthusiasm", Phrases: []string{
				"thank you", "thanks", "thx", "love it", "love this", "love you", "i love", "awesome", "amazing", "great job",
				"well done", "you rock", "yay", "woohoo", "wow", "so happy", "excited", "best", "brilliant", "fantastic",
				"gracias", "merci", "danke", "obrigado", "obrigada", "bedankt", "super",
			}}, Excuses: []string{"shouting", "punctuation", "profanity"}},
			{Cue: Cue{Name: "alarm_about_someone_else", Phrases: []string{
				"wasn't me", "was not me", "not me", "didn't do", "did not do", "didn't make", "did not make", "didn't order",
				"did not order", "didn't place", "never placed", "hacked", "someone else", "somebody else", "stolen",
				"lock my account", "block my card", "freeze my account", "fraud", "scam email", "phishing",
				"no fui yo", "ce n'etait pas moi", "das war ich nicht", "nao fui eu", "dat was ik niet",
			}}, Excuses: []string{"shouting", "punctuation"}},
		},
		CalmDown: []Cue{
			{Name: "calm_down", Phrases: []string{
				"thanks", "thank you", "thx", "that worked", "that helped", "it worked", "works now", "all good", "all sorted",
				"perfect thanks", "great thanks", "appreciate it", "appreciate your help", "sorry for", "sorry about",
				"my bad", "my apologies", "apologies for", "never mind", "no worries", "problem solved", "you're right",
				"gracias", "perdon", "merci", "desole", "danke", "entschuldigung", "obrigado", "obrigada", "desculpa",
				"bedankt", "sorry",
			}},
		},
	}
}

// person nouns reused by the human-request patterns.
const (
	enPerson = `(?:a |an |the |some |your |one of your |any )?(?:real |actual |live |human |proper |flesh and blood |competent )?(?:human|humans|person|people|agent|agents|representative|rep|operator|manager|supervisor|someone|somebody|anyone|anybody|staff|employee|colleague|advisor|adviser|specialist|customer service|customer support|support team|team member|human being|one)\b`
)

func defaultHumanRequest() HumanRequestConfig {
	return HumanRequestConfig{
		Threshold: 0.5,
		Cues: []Cue{
			{Name: "talk_to_person", Weight: 1, Patterns: []string{
				`\b(?:talk|speak|chat|speaking|talking|chatting) (?:to|with) ` + enPerson,
				`\b(?:get|put|transfer|connect|pass|escalate|forward|route|send|hand) (?:me |this |us |my (?:case|chat|ticket|issue|request) )?(?:over |through |directly )?(?:to|with) ` + enPerson,
				`\b(?:i want|i need|i'd like|i would like|can i have|can i get|could i have|could i get|may i have|may i speak to|give me|get me|i demand|i'm asking for|i am asking for|requesting|request) (?:to (?:talk|speak|chat) (?:to|with) )?` + enPerson,
				`\b(?:is there|are there) (?:anyone|anybody|someone|somebody|a (?:real |actual )?(?:human|person))\b`,
				`\b(?:real|actual|live|human) (?:person|human|agent|people|human being|support|assistance)\b`,
				`\bescalate (?:this|it|my|the)\b`,
				`\bwho (?:in|at|from) (?:your|the) [\w ]{0,30}(?:is handling|handles|is dealing with|deals with|is responsible for|is in charge)\b`,
				`\bput me in touch with\b`,
				`\bhuman (?:help|support|assistance|agent|contact)\b`, `\b(?:someone|somebody|a person|a human) on the (?:phone|line)\b`,
				`\b(?:please|can you|could you|can someone|could someone|someone should|have someone) contact me\b`,
				`\b(?:rather|prefer to|prefer)\b.{0,40}\bwith (?:a |an )?(?:real |actual )?(?:person|human|agent|people|human being)\b`,
				`\bthan (?:with )?(?:a|the|this|some) (?:bot|chatbot|chat bot|robot|machine|ai|computer)\b`,
			}},
			{Name: "agent_alone", Weight: 1, Patterns: []string{
				`^\W*(?:(?:an? |the )?(?:human|agent|representative|rep|operator|person|real person|manager|supervisor|someone|humano|agente|humain|conseiller|mensch|mitarbeiter|atendente|medewerker)[\s,]*)(?:please|pls|plz|now|asap|por favor|s'il vous plait|svp|bitte|aub|alstublieft)?\W*$`,
			}},
			{Name: "callback", Weight: 0.9, Patterns: []string{
				`\b(?:call|ring|phone) me(?: back)?\b`, `\bgive me a (?:call|ring)\b`, `\bcall ?back\b`,
				`\b(?:have|get) (?:someone|somebody|an agent|a person|a human|a manager|one of your (?:team|agents|staff)) (?:to )?(?:call|email|e-mail|contact|reach out to|get back to|phone|ring|message)\b`,
			}},
			{Name: "named_colleague", Weight: 0.8, Patterns: []string{
				`\b(?:talk|speak|chat) (?:to|with) \w+ again\b`, `\b(?:the same|that) (?:agent|person|lady|guy|woman|man|colleague) (?:i|who)\b`,
				`\b(?:contact|reach|email|write to|speak to|talk to) (?:the |your )?(?:dpo|data protection officer)\b`,
			}},
			{Name: "talk_to_person_es", Weight: 1, Patterns: []string{
				`\b(?:hablar|comunicarme|comunicar|charlar|contactar) con (?:un |una |el |la |algun |alguna )?(?:humano|persona|agente|asesor|asesora|operador|operadora|encargado|encargada|responsable|supervisor|supervisora|gerente|representante|empleado|empleada|alguien|ser humano)\b`,
				`\b(?:quiero|necesito|puedo tener|me gustaria|exijo) (?:un |una )?(?:humano|persona real|agente|asesor|operador|representante)\b`,
				`\b(?:pasame|paseme|pasenme|comuniqueme|comuniquenme|ponme|pongame|transfiere(?:me)?|transfierame) con\b`,
				`\b(?:llamame|llamenme|me (?:pueden|puede|podrian|podeis) llamar|que me llamen?|devolverme la llamada)\b`,
				`\b(?:atencion humana|persona real|una persona de verdad)\b`,
			}},
			{Name: "talk_to_person_fr", Weight: 1, Patterns: []string{
				`\bparler (?:a|avec) (?:un |une |le |la |l'|votre )?(?:vrai |vraie |veritable )?(?:humain|personne|conseiller|conseillere|agent|operateur|operatrice|responsable|superieur|manager|etre humain|quelqu'un|quelqu un|interlocuteur)\b`,
				`\b(?:je veux|je voudrais|j'aimerais|puis-je avoir|je demande) (?:un |une |le |la )?(?:humain|conseiller|conseillere|agent|vraie personne|responsable)\b`,
				`\b(?:passez-moi|passez moi|mettez-moi en relation|mettre en relation|transferez-moi)\b`,
				`\b(?:rappelez-moi|rappelez moi|me rappeler|m'appeler|appelez-moi)\b`,
				`\b(?:une vraie personne|un etre humain|un humain)\b`,
			}},
			{Name: "talk_to_person_de", Weight: 1, Patterns: []string{
				`\bmit (?:einem |einer |jemandem|jemand|ihrem |ihrer |dem |der )?(?:echten |richtigen |menschlichen |zustandigen )?(?:menschen|mensch|mitarbeiter|mitarbeiterin|berater|beraterin|agenten|vorgesetzten|person|kundenberater|sachbearbeiter|manager|jemandem|jemand|kundendienst|support)\b.{0,25}\b(?:sprechen|reden|verbinden|verbunden|telefonieren|chatten)\b`,
				`\b(?:verbinden sie mich|bitte verbinden|rufen sie mich (?:bitte )?(?:zuruck|an)|ruckruf|zuruckrufen)\b`,
				`\b(?:einen |ein )?(?:echten|echter|richtigen) (?:menschen|mensch|mitarbeiter)\b`,
				`\bich (?:mochte|will|brauche) (?:einen |eine )?(?:mitarbeiter|mitarbeiterin|menschen|berater|ansprechpartner)\b`,
			}},
			{Name: "talk_to_person_pt", Weight: 1, Patterns: []string{
				`\bfalar com (?:um |uma |o |a |algum |alguma )?(?:humano|pessoa|atendente|agente|gerente|supervisor|supervisora|representante|responsavel|alguem|ser humano|pessoa real|funcionario)\b`,
				`\b(?:quero|preciso|gostaria de|exijo) (?:um |uma )?(?:atendente|humano|pessoa real|agente|atendimento humano)\b`,
				`\b(?:me liga|me ligue|me liguem|ligar para mim|ligue para mim|ligue-me|retornar a ligacao|me retornem)\b`,
				`\b(?:atendimento humano|pessoa de verdade)\b`, `\b(?:transferir|transfira|transfere) (?:me |-me )?para\b`,
			}},
			{Name: "talk_to_person_nl", Weight: 1, Patterns: []string{
				`\b(?:spreken|praten|chatten) met (?:een |de |iemand|uw )?(?:echte |echt )?(?:mens|medewerker|medewerkster|persoon|iemand|manager|leidinggevende|klantenservice|agent)\b`,
				`\bmet (?:een |de )?(?:echte )?(?:medewerker|medewerkster|mens|persoon|iemand|manager|leidinggevende) (?:spreken|praten)\b`,
				`\b(?:bel (?:me|mij)(?: terug| op)?|terugbellen|terug bellen|kunt u mij bellen|doorverbinden|verbind (?:me|mij) door)\b`,
				`\b(?:een )?(?:echte|echt) (?:mens|persoon|medewerker)\b`,
				`\bik wil (?:een |graag een )?(?:medewerker|mens|persoon)\b`,
			}},
		},
		Vetoes: []Cue{
			{Name: "are_you_human", Patterns: []string{
				`\b(?:are you|r u|is this|am i (?:talking|chatting|speaking) (?:to|with)|is that) (?:a |an )?(?:real |actual |live )?(?:human|person|bot|robot|machine|ai|computer|real person)\b`,
				`\b(?:eres|es usted) (?:un |una )?(?:humano|robot|bot|persona real|persona)\b`,
				`\b(?:etes-vous|etes vous|tu es|vous etes|es-tu) (?:un |une )?(?:humain|robot|bot|vraie personne)\b`,
				`\b(?:bist du|sind sie) (?:ein |eine )?(?:mensch|bot|roboter|echter mensch)\b`,
				`\b(?:voce e|tu es|e voce) (?:um |uma )?(?:humano|robo|bot|pessoa real)\b`,
				`\b(?:ben je|bent u) (?:een )?(?:mens|bot|robot|echt persoon)\b`,
			}},
			{Name: "not_wanted", Patterns: []string{
				`\b(?:don't|do not|dont|no need to|no need for|never|won't|will not|not) (?:want|need|wish|ask|asking|going|looking)?\s?(?:for |to )?(?:talk |speak |chat |be transferred |be put through )?(?:to |with )?(?:a |an |the |any )?(?:human|agent|person|representative|someone|somebody|call|callback|phone call)\b`,
				`\bno (?:quiero|necesito) (?:hablar con )?(?:un |una )?(?:agente|humano|persona|asesor)\b`,
				`\b(?:je ne veux pas|pas besoin d'|pas besoin de) (?:parler a )?(?:un |une )?(?:agent|humain|conseiller|personne)\b`,
				`\bich (?:will|brauche|mochte) keinen (?:mitarbeiter|menschen|berater|ruckruf)\b`,
				`\bnao (?:quero|preciso) (?:falar com )?(?:um |uma )?(?:atendente|humano|agente|pessoa)\b`,
				`\bik (?:wil|hoef) geen (?:medewerker|mens|persoon|terugbelverzoek)\b`,
			}},
			{Name: "not_a_request", Patterns: []string{
				`\bhuman (?:resources|rights|error|nature|body)\b`, `\b(?:recursos humanos|ressources humaines|personalabteilung|recursos humanos|personeelszaken)\b`,
				`\b(?:when|what time|how late|until when) (?:can i|do you|does|is|are) (?:call|phone|the phone|your phone|your call|the call)`,
			}},
		},
		Withdrawals: []Cue{
			{Name: "withdrawn", Phrases: []string{
				"nvm", "never mind", "nevermind", "forget it", "forget that", "found it", "figured it out", "got it now", "no need anymore",
				"no longer need", "all good now", "sorted now", "works now", "it's fine now", "problem solved", "ignore that",
				"ignore my last message", "scratch that", "cancel that", "i managed", "solved it",
				"olvidalo", "ya lo encontre", "no hace falta", "da igual", "ya lo solucione", "ya esta resuelto",
				"laissez tomber", "laisse tomber", "c'est bon", "j'ai trouve", "pas besoin", "oubliez", "c'est regle",
				"schon gut", "hat sich erledigt", "vergessen sie es", "gefunden", "nicht mehr notig", "alles gut",
				"deixa pra la", "deixa para la", "esquece", "ja encontrei", "ja resolvi", "nao precisa",
				"laat maar", "al gevonden", "niet meer nodig", "het is gelukt", "vergeet het",
			}},
		},
	}
}

func defaultSeverity() SeverityConfig {
	return SeverityConfig{
		Threshold: 0.5,
		Topics: []TopicConfig{
			{Topic: frontline.SeveritySecurity, Cues: []Cue{
				{Name: "account_compromised", Weight: 0.8, Negatable: true, Phrases: []string{
					"hacked", "hacker", "hackers", "compromised", "account takeover", "taken over my account", "phishing",
					"hackeado", "hackeada", "hackearon", "pirate", "piratee", "gehackt", "gekapert", "invadida", "invadiram", "phishing",
				}},
				{Name: "unknown_access", Weight: 0.8, Negatable: true, Patterns: []string{
					`\b(?:someone|somebody|a stranger) (?:has |had )?(?:logged|signed|got|gotten|broke|accessed|is using|used|has used|placed|made|ordered|bought|changed)\b`,
					`\b(?:unknown|unrecogni[sz]ed|suspicious|strange|unusual|foreign) (?:login|log-in|sign-in|signin|device|access|activity|location|ip)\b`,
					`\blog(?:ged)? ?in (?:from|in) (?:a |an )?(?:country|city|place|device|location)\b`,
					`\bi (?:never|didn't|did not|haven't|have not) (?:log(?:ged)? ?in|sign(?:ed)? ?in|authori[sz]e|made (?:this|that|these|those)|make (?:this|that|these|those)|place[d]? (?:this|that|these|those|an|any)|order(?:ed)? (?:this|that|these|those|it|them|anything))\b`,
					`\b(?:wasn't|was not|weren't|were not|it's not|not) me\b.{0,40}\b(?:order|login|charge|purchase|payment|account|card)`,
					`\b(?:order|login|charge|purchase|payment|orders|charges|purchases)\b.{0,40}\b(?:wasn't|was not|weren't|were not) (?:me|mine)\b`,
					`\b(?:password|email|e-mail|phone number) (?:was |has been |got )?changed (?:without|and i didn't|but i didn't|by someone)\b`,
					`\b(?:codes?|verification codes?|2fa codes?|otp) (?:i|that i) (?:didn't|did not|never) (?:request|ask)`,
				}},
				{Name: "fraud_stolen", Weight: 0.8, Negatable: true, Patterns: []string{
					`\bfraud\w*\b`, `\bstolen (?:card|credit card|account|identity|password)\b`, `\b(?:card|wallet|identity|phone) (?:was |has been |got )?stolen\b`,
					`\bidentity theft\b`, `\bunauthori[sz]ed (?:charge|charges|purchase|purchases|order|orders|transaction|transactions|access|login|payment|use)\b`,
					`\b(?:someone|somebody) (?:else )?(?:\w+ ){0,2}(?:using|used|use) my (?:card|credit card|account|details|identity|email|address)\b`,
					`\bscam (?:email|e-mail|text|sms|message|call|link)\b`, `\b(?:fake|suspicious) (?:email|e-mail|text|sms|message|link) (?:from|pretending|claiming)\b`,
					`\block my account\b`, `\bfreeze my account\b`,
					`\b(?:someone|somebody) (?:has )?(?:changed|reset) my (?:password|email|e-mail|phone number|address|details)\b`,
					`\b(?:password reset|reset|login|log-in|sign-in|verification) (?:email|e-mail|code|link|request|text|sms|alert|notification)s? (?:that )?i (?:didn't|did not|never) (?:request|ask for|make|trigger)\b`,
					`\b(?:email|e-mail|text|sms|message|call)s? (?:asking|requesting|wanting) (?:me )?(?:for|to (?:confirm|verify|enter|send)) (?:my )?(?:password|card|bank|login|details|pin|code)\b`,
					`\bis (?:this|that|the) (?:email|e-mail|text|sms|message|link) (?:really |actually )?(?:legit|real|genuine|from you)\b`,
					`\b(?:clicked|opened) (?:a|the|on a|on the) (?:link|attachment)\b.{0,60}\b(?:entered|typed|gave|put in)\b`,
					`\b(?:account|details|data|password|card details) (?:was |were |has been |have been |got )(?:accessed|breached|leaked|exposed|compromised|stolen)\b`,
					`\bdata breach\b`, `\b(?:orders?|purchases?|charges?|payments?|transactions?) (?:that )?i (?:didn't|did not|never) (?:place|make|made|authori[sz]e)\b`,
					`\b(?:alguien (?:entro|accedio|ha entrado) en mi cuenta|inicio de sesion sospechoso|compras que no hice)\b`,
					`\b(?:quelqu'un s'est connecte|achats que je n'ai pas faits|commandes que je n'ai pas passees)\b`,
					`\bjemand hat (?:sich )?(?:in mein konto|mein konto|mein passwort|sich eingeloggt)\b`, `\b(?:alguem entrou na minha conta|compras que nao fiz)\b`,
					`\biemand (?:heeft|is) (?:in mijn account|ingelogd)\b`,
					`\b(?:fraude|tarjeta robada|me robaron|robo de identidad|acceso no autorizado|no fui yo|suplantacion)\b`,
					`\b(?:carte volee|on m'a vole|ce n'etait pas moi|ce n'est pas moi|connexion suspecte|hameconnage|usurpation)\b`,
					`\b(?:betrug|gestohlen|nicht ich|das war ich nicht|unbefugt\w*|verdachtige anmeldung|identitatsdiebstahl)\b`,
					`\b(?:golpe|cartao roubado|roubaram|nao fui eu|acesso nao autorizado)\b`,
					`\b(?:oplichting|gestolen|dat was ik niet|niet door mij|onbevoegd\w*|verdachte inlog)\b`,
				}},
			}},
			{Topic: frontline.SeverityLegal, Cues: []Cue{
				{Name: "lawyer_court", Weight: 0.8, Negatable: true, Phrases: []string{
					"lawyer", "lawyers", "attorney", "solicitor", "sue", "suing", "lawsuit", "legal action", "take you to court",
					"court", "small claims", "legal proceedings", "class action", "cease and desist", "legal notice",
					"breach of contract", "my rights as a consumer", "on behalf of my client", "my client", "legal department",
					"formal letter", "letter before action", "formal complaint", "compensation claim", "illegal", "unlawful",
					"against the law", "statutory rights", "consumer rights", "legal advice", "legal team", "litigation", "subpoena",
					"abogado", "abogada", "demanda", "demandar", "denunciar", "denuncia", "tribunal", "juzgado",
					"avocat", "avocate", "poursuivre", "poursuites", "plainte", "mise en demeure", "porter plainte",
					"anwalt", "anwaltin", "rechtsanwalt", "klage", "verklagen", "gericht", "abmahnung", "rechtliche schritte",
					"advogado", "advogada", "processar", "processo judicial", "justica", "acao judicial",
					"advocaat", "rechter", "rechtszaak", "aanklagen", "juridische stappen", "rechtbank",
				}},
				{Name: "regulator", Weight: 0.8, Negatable: true, Patterns: []string{
					`\b(?:regulator|ombudsman|trading standards|consumer protection|attorney general|ftc|cfpb|bbb|better business bureau)\b`,
					`\b(?:data protection (?:authority|authorities|commissioner|regulator)|supervisory authority|ico|cnil|aepd|datenschutzbehorde|autoriteit persoonsgegevens|cnpd|anpd)\b`,
					`\b(?:complain|complaint|report you|reporting you|file a complaint|lodge a complaint)\b.{0,40}\b(?:authority|regulator|gdpr|rgpd|dsgvo|avg|ombudsman|consumer)\b`,
					`\b(?:gdpr|rgpd|dsgvo) (?:complaint|violation|breach)\b`, `\b(?:violat\w+|breach\w*) (?:of )?(?:the )?(?:gdpr|rgpd|dsgvo|law|consumer law)\b`,
					`\b(?:chargeback|charge back|dispute (?:the|this|it) with my bank|dispute with my bank|my bank to reverse)\b`,
					`\b(?:consumo|oficina del consumidor|omic|facua|ocu|ufc|dgccrf|verbraucherzentrale|procon|reclame aqui|consumentenbond|acm)\b`,
				}},
			}, Vetoes: []Cue{
				{Name: "about_oneself", Patterns: []string{
					`\b(?:i'?m|i am|as|i work as|i'm working as) (?:a |an )?(?:lawyer|attorney|solicitor|paralegal)\b`,
					`\b(?:soy|como) (?:abogado|abogada)\b`, `\bje suis avocate?\b`, `\bich bin (?:anwalt|anwaltin|rechtsanwalt)\b`,
					`\b(?:sou|como) (?:advogado|advogada)\b`, `\bik ben advocaat\b`,
					`\b(?:food|basketball|tennis|supreme|food) court\b`, `\bcourt (?:shoes|size)\b`,
				}},
			}},
			{Topic: frontline.SeverityOutage, Cues: []Cue{
				{Name: "service_down", Weight: 0.8, Negatable: true, Patterns: []string{
					`\b(?:site|website|web site|app|application|checkout|check-out|page|server|servers|service|login|log-in|payment page|payments|platform|system|portal|cart|basket|your api|api)\b.{0,25}\b(?:is |are |'s |seems |seem |keeps |went |goes )?(?:down|broken|offline|not loading|won't load|wont load|doesn't load|not working|isn't working|stopped working|crash\w*|unavailable|unreachable|timing out|times out|frozen|failing|fails|failed)\b`,
					`\b(?:can't|cannot|can not|unable to|couldn't) (?:load|access|open|reach|log ?in to|sign ?in to|check ?out|pay|complete (?:my |the )?(?:order|purchase|payment|checkout))\b`,
					`\b(?:error|erro|fehler|erreur) ?(?:code )?(?:500|502|503|504|404)\b`, `\b(?:500|502|503|504) (?:error|bad gateway|service unavailable)\b`,
					`\b(?:bad gateway|internal server error|service unavailable|blank page|white screen|spinning forever|stuck loading)\b`,
					`\b(?:outage|down for everyone|is it down|is the site down|is the app down|everything is down|server error)\b`,
					`\b(?:won't|wont|doesn't|does not|will not) let me (?:log ?in|sign ?in|pay|check ?out|place (?:an|my) order|order|add)\b`,
					`\b(?:getting|get|got|keep getting|shows?|showing|says|saying) (?:an? )?(?:error|error message|['"]?something went wrong|['"]?oops)\b.{0,40}\b(?:checkout|check out|pay|payment|login|log in|sign in|the app|the site|website|order)\b`,
					`\b(?:button|link|page|form) (?:doesn't|does not|won't|will not|isn't|is not) (?:work|working|load|loading|respond|responding|do anything)\b`,
					`\bnothing happens when i (?:click|tap|press)\b`,
					`\b(?:la (?:pagina|web|app|aplicacion)|el (?:sitio|servidor|pago)) (?:no (?:funciona|carga|abre)|esta caida|se cae|falla)\b`,
					`\b(?:le site|l'application|l'appli|la page|le paiement) (?:ne (?:fonctionne|marche|charge|s'ouvre) (?:pas|plus)|est en panne|plante|bug\w*)\b`,
					`\b(?:die (?:seite|webseite|app|website)|der (?:checkout|server)|das (?:bezahlen|portal)) (?:geht nicht|funktioniert nicht|ladt nicht|ist down|sturzt ab|ist nicht erreichbar)\b`,
					`\b(?:o site|o app|o aplicativo|a pagina|a aplicacao) (?:nao (?:funciona|carrega|abre)|esta fora do ar|caiu|trava)\b`,
					`\b(?:de (?:website|site|app)|het (?:afrekenen|betalen)) (?:werkt niet|laadt niet|ligt eruit|is down|crasht)\b`,
					`\b(?:een storing|storing bij|panne generale|caida del sistema|ausfall|fora do ar)\b`,
				}},
			}, Vetoes: []Cue{
				{Name: "customers_own_connection", Patterns: []string{
					`\b(?:my|our|home) (?:own )?(?:internet|wifi|wi-fi|connection|router|isp|broadband|phone|laptop|computer|modem|network|power)\b.{0,25}\b(?:down|broken|offline|not working|isn't working|crash\w*|failing|fails|failed)\b`,
				}},
			}},
			{Topic: frontline.SeverityBillingError, Cues: []Cue{
				{Name: "double_or_wrong_charge", Weight: 0.8, Negatable: true, Patterns: []string{
					`\b(?:charged|billed|debited|invoiced|taken|deducted) (?:me )?(?:\w+ )?(?:twice|two times|double|2x|three times|again)\b`,
					`\b(?:double|duplicate|duplicated|extra|second) (?:charge|charges|charged|billing|payment|debit|transaction)\b`,
					`\b(?:wrong|incorrect|higher|different) (?:amount|price|charge|total|invoice|bill)\b`, `\bovercharg\w*\b`,
					`\b(?:charged|billed) (?:me )?(?:more|too much|the wrong|full price|for (?:something|an order|a subscription|items?) (?:i|that i) (?:didn't|did not|never))\b`,
					`\b(?:unknown|unrecogni[sz]ed|unexpected|strange|mystery|random|unexplained) (?:charge|charges|payment|payments|debit|transaction|fee|fees)\b`,
					`\b(?:charge|charges|payment|debit|transaction)\b.{0,40}\b(?:i|we) (?:don't|do not|can't|cannot) (?:recogni[sz]e|identify|explain)\b`,
					`\b(?:still|keep|kept|keeps) (?:being |getting )?(?:charg\w*|bill\w*)\b`, `\bcharged after (?:i )?cancel\w*\b`,
					`\b(?:added|applied|counted) twice\b`,
					`\b(?:charged|billed|invoiced) (?:me |us )?for \d+\b.{0,40}\bbut (?:i|we) (?:only )?(?:have|had|ordered|bought|use|used|need|needed|got)\b`,
					`\b(?:correct|fix|amend|adjust|rectify) (?:the|my|our|this|that) (?:invoice|bill|charge|amount)\b`,
					`\bcharged (?:me |us )?even though\b`, `\bpaid (?:for it |for this )?twice\b`, `\b(?:payment|charge|transaction) (?:went through|was taken|was made|appears) twice\b`,
					`\b(?:took|taken|deducted|withdrew|withdrawn) (?:the )?(?:money|payment)\b.{0,30}\b(?:twice|again|without)\b`,
					`\bcharged\b.{0,40}\b(?:after|during) (?:the |my )?(?:free )?trial\b`, `\b(?:partial|incomplete|wrong) refund\b`, `\bonly (?:got )?refunded\b`,
					`\b(?:charge|charged|payment|debit|transaction)\b.{0,80}\b(?:i|we) (?:don't|do not|didn't|did not|never) (?:think (?:i|we) )?(?:order|ordered|buy|bought|purchase|purchased|make|made|authori[sz]e|authori[sz]ed|sign(?:ed)? up)\b`,
					`\b(?:don't|do not|can't|cannot) (?:recogni[sz]e|identify|place) (?:this|the|that|a|an) (?:charge|payment|transaction|debit)\b`,
					`\b(?:charged|billed|charge|payment|debited)\b.{0,80}\b(?:i|we) (?:had )?(?:already )?(?:cancel+ed|unsubscribed|closed (?:my|the) account)\b`, `\b(?:discount|coupon|promo code|voucher) (?:wasn't|was not|not|never|didn't get) (?:applied|deducted|taken off)\b`,
				}},
				{Name: "refund_missing", Weight: 0.7, Negatable: false, Patterns: []string{
					`\brefund\b.{0,40}\b(?:hasn't|has not|haven't|have not|never|still not|not yet|didn't|did not|isn't|is not|wasn't|still)\b.{0,20}\b(?:arrived|come|came|received|shown|showed|appeared|processed|been|got|gotten|here|there|through)\b`,
					`\b(?:still|never|haven't|have not|didn't|did not|not yet) (?:received|got|gotten|seen|waiting for|been given) (?:my |the |a |any )?(?:refund|money back)\b`,
					`\b(?:where is|where's|what happened to) (?:my|the) (?:refund|money)\b`, `\bno refund yet\b`, `\bwaiting (?:on|for) (?:my |the |a )?refund\b`,
				}},
				{Name: "billing_error_multilingual", Weight: 0.8, Negatable: true, Patterns: []string{
					`\b(?:cobrado|cobraron|cobrasteis|cobrado) (?:dos veces|de mas|doble)\b`, `\b(?:cobro|cargo) (?:duplicado|doble|indebido|desconocido)\b`,
					`\b(?:doble cobro|no me han devuelto|reembolso no|no he recibido (?:el|mi) reembolso|importe incorrecto)\b`,
					`\b(?:debite|preleve|facture|factures) (?:deux fois|a tort|en double)\b`, `\b(?:double prelevement|montant incorrect|prelevement inconnu|remboursement (?:jamais|pas|toujours pas) (?:recu|arrive)|pas (?:encore )?(?:recu|ete) rembourse)\b`,
					`\b(?:doppelt|zweimal) (?:abgebucht|berechnet|belastet|abgerechnet)\b`, `\b(?:falscher betrag|unbekannte abbuchung|zu viel berechnet|erstattung (?:nicht|noch nicht|nie)|geld (?:nicht|noch nicht) zuruck)\b`,
					`\b(?:cobrado|cobraram|cobrada) (?:duas vezes|a mais|em dobro)\b`, `\b(?:cobranca (?:duplicada|indevida)|valor errado|reembolso nao|estorno nao)\b`,
					`\b(?:dubbel|twee keer|tweemaal) (?:afgeschreven|betaald|gefactureerd)\b`, `\b(?:verkeerd bedrag|onbekende afschrijving|terugbetaling (?:niet|nog niet|nooit)|geld (?:niet|nog niet) terug)\b`,
				}},
			}},
			{Topic: frontline.SeverityPrivacy, Cues: []Cue{
				{Name: "data_rights_request", Weight: 0.8, Negatable: true, Patterns: []string{
					`\b(?:delete|erase|remove|wipe|purge) (?:all )?(?:of )?(?:my|the) (?:personal )?(?:data|information|info|details|records|history)\b`,
					`\b(?:all|any) (?:the )?(?:personal )?(?:data|information) (?:you (?:have|hold|keep|store)|about me)\b`,
					`\b(?:copy|export|access|download) (?:of )?(?:all )?(?:my|the) (?:personal )?data\b`, `\b(?:what|which) (?:personal )?(?:data|information) (?:do )?you (?:have|hold|keep|store|collect)\b`,
					`\bright to (?:be forgotten|erasure|access)\b`, `\b(?:data subject access|subject access|dsar|data access request|data deletion request|erasure request)\b`,
					`\b(?:stop|don't|do not) (?:processing|selling|sharing) my (?:personal )?data\b`,
					`\b(?:sell|sold|share|shared|selling|sharing) my (?:personal )?(?:data|information|details|email address) (?:with|to)\b`,
					`\bwho (?:has|did you (?:share|give|sell)) my (?:personal )?(?:data|information|details)\b`,
					`\b(?:photo|picture|scan|copy) of my (?:id|passport|licen[sc]e|driver'?s licen[sc]e|identity card)\b`,
					`\b(?:borrar|eliminar|suprimir) (?:todos )?mis datos\b`, `\b(?:derecho al olvido|mis datos personales)\b`,
					`\b(?:supprimer|effacer) (?:toutes )?mes donnees\b`, `\b(?:droit a l'oubli|mes donnees personnelles|acces a mes donnees)\b`,
					`\bmeine (?:personenbezogenen |personlichen )?daten (?:loschen|entfernen)\b`, `\b(?:datenauskunft|auskunft uber meine daten|recht auf vergessenwerden|meine personenbezogenen daten)\b`,
					`\b(?:apagar|excluir|eliminar) (?:todos )?(?:os )?meus dados\b`, `\bmeus dados pessoais\b`,
					`\bmijn (?:persoons)?gegevens (?:verwijderen|wissen|inzien)\b`, `\b(?:inzage in mijn gegevens|mijn persoonsgegevens)\b`,
				}},
				{Name: "sensitive_personal_data", Weight: 0.7, Negatable: true, Patterns: []string{
					`\b(?:passport|passport number|national id|id card|identity card|driver'?s licen[sc]e|driving licen[sc]e|social security|ssn|tax id|\[ssn\])\b`,
					`\b(?:medical|health condition|health data|health information|my health|diagnos\w+|prescription|medication|disability|disabled|pregnan\w+|chemotherapy|cancer|diabetes|diabetic|hiv|mental health|allerg\w+|coeliac|celiac|epilep\w+)\b`,
					`\b(?:pasaporte|dni|documento de identidad|historial medico|mi salud|embarazada|discapacidad)\b`,
					`\b(?:passeport|carte d'identite|dossier medical|ma sante|enceinte|handicap)\b`,
					`\b(?:reisepass|personalausweis|krankheit|gesundheitsdaten|schwanger|behinderung|diagnose)\b`,
					`\b(?:passaporte|carteira de identidade|cpf|minha saude|gravida|deficiencia)\b`,
					`\b(?:paspoort|identiteitskaart|bsn|medisch|zwanger|handicap)\b`,
				}},
			}, Vetoes: []Cue{
				{Name: "routine_account_data", Patterns: []string{
					`\b(?:delete|remove|erase) (?:an |my |the )?(?:old |saved |previous )?(?:address|addresses|card|payment method|shipping address|wishlist|cart|review)\b`,
				}},
			}},
			{Topic: frontline.SeverityDelivery, Cues: []Cue{
				{Name: "not_arrived", Weight: 0.8, Patterns: []string{
					`\b(?:order|package|parcel|delivery|item|items|shipment|box|purchase|it)\b.{0,30}\b(?:hasn't|has not|haven't|have not|never|didn't|did not|still hasn't|still not|not yet|still hasnt|hasnt|havent|didnt)\b.{0,15}\b(?:arrived|arrive|come|came|turned up|shown up|showed up|been delivered|delivered|received|here)\b`,
					`\b(?:hasn't|has not|still not|still hasn't|not|wasn't|was not) (?:been )?(?:shipped|dispatched|sent) (?:after|since|for|in over|even after)\b`,
					`\b(?:never|haven't|have not|didn't|did not|still haven't|not yet) (?:received|got|gotten) (?:my|the|our|an?|any) (?:order|package|parcel|delivery|item|items|shipment|purchase)\b`,
					`\b(?:marked|shows|showing|says|said|listed) (?:as )?delivered\b`, `\bdelivered\b.{0,40}\b(?:nothing|not here|never (?:got|received)|not (?:at|on) my|no (?:package|parcel|sign))\b`,
					`\b(?:lost|missing) (?:package|parcel|order|delivery|shipment|item|items)\b`, `\b(?:package|parcel|order|shipment|delivery) (?:is |was |got |has been )?(?:lost|missing|stolen)\b`,
					`\b(?:supposed|meant|due|expected|promised|should have|should've) (?:to )?(?:arrive|arrived|be delivered|be here|come)\b`,
					`\b(?:late|delayed|overdue) (?:delivery|order|package|parcel|shipment)\b`, `\b(?:delivery|order|package|parcel|shipment) (?:is |was |has been |keeps being )?(?:late|delayed|overdue|stuck)\b`,
					`\b(?:stuck|sitting) (?:in|at) (?:transit|customs|the depot|the warehouse|the sorting)\b`, `\breturned to sender\b`,
					`\bwhere (?:is|'s) my (?:order|package|parcel|delivery|stuff)\b`,
					`\bdelivered to (?:the )?wrong (?:address|house|door|person|building|flat|neighbour|neighbor)\b`,
					`\b(?:courier|driver|postman|delivery (?:guy|man|person|driver)) (?:left|lost|threw|never|didn't|did not|damaged|dumped)\b`,
					`\btracking (?:number )?(?:hasn't|has not|isn't|is not|still not|not|doesn't|does not) (?:been )?(?:updated|updating|moved|moving|changed|working|work)\b`,
					`\b(?:no|zero) (?:tracking )?(?:update|updates|movement) (?:for|since|in)\b`,
					`\b(?:arrived|came|delivered) (?:\d+|two|three|four|five|a few|several) (?:days|weeks) late\b`, `\b(?:not|never) received\b.{0,20}\b(?:order|package|parcel|item|delivery)\b`,
				}},
				{Name: "damaged_or_wrong", Weight: 0.8, Negatable: true, Patterns: []string{
					`\b(?:arrived|came|was delivered|delivered|received it|got it)\b.{0,20}\b(?:damaged|broken|smashed|cracked|crushed|torn|wet|dented|shattered|defective|faulty|open(?:ed)?|empty)\b`,
					`\b(?:damaged|broken|smashed|cracked|crushed|defective) (?:item|items|product|package|parcel|box|on arrival|in transit)\b`,
					`\b(?:wrong|incorrect|different) (?:item|items|product|size|colou?r|order|model|book|thing|parcel|package)\b`, `\bsent (?:me )?(?:the )?wrong\b`,
					`\b(?:missing|left out) (?:from|in) (?:my|the) (?:order|package|parcel|box)\b`, `\b(?:item|items|part|parts|piece|pieces) (?:is |are |was |were )?missing\b`,
					`\b(?:incomplete|partial) (?:order|delivery|shipment)\b`,
					`\b(?:ordered|bought|paid for) (?:a |an |the |two |some )?[\w\s-]{1,40}? (?:and|but) (?:got|received|they sent|you sent|was sent|instead got)\b`,
					`\b(?:got|received|sent me) (?:a |an |the )?[\w\s-]{1,30}? instead of\b`,
				}},
				{Name: "delivery_multilingual", Weight: 0.8, Negatable: false, Patterns: []string{
					`\b(?:no (?:me )?ha llegado|no llego|no ha llegado|nunca llego|todavia no llega|sigue sin llegar|no he recibido (?:mi|el) (?:pedido|paquete))\b`,
					`\b(?:pedido|paquete|producto|articulo) (?:equivocado|incorrecto|danado|roto|perdido|retrasado)\b`, `\b(?:llego|vino) (?:roto|danado|abierto|mal)\b`, `\b(?:me mandaron|me enviaron) (?:un |una |el |la )?\w+ (?:equivocad\w|incorrect\w|distint\w)\b`, `\bdonde esta mi (?:pedido|paquete)\b`,
					`\b(?:pas (?:encore )?(?:recu|arrive|ete livre)|jamais (?:recu|arrive)|toujours pas (?:recu|arrive|livre))\b`, `\b(?:colis|commande|article) (?:perdu|endommage|abime|casse|en retard|errone)\b`, `\b(?:mauvais (?:article|produit|colis|taille))\b`, `\bou est (?:ma commande|mon colis)\b`,
					`\b(?:nicht|noch nicht|nie) (?:angekommen|geliefert|erhalten|zugestellt)\b`, `\b(?:paket|bestellung|sendung|lieferung|ware) (?:ist )?(?:verloren|beschadigt|kaputt|verspatet|falsch)\b`, `\b(?:falsche|falschen|falscher) (?:artikel|ware|grosse|farbe|produkt)\b`, `\bwo (?:ist|bleibt) meine (?:bestellung|lieferung|paket)\b`,
					`\b(?:nao (?:chegou|recebi|foi entregue)|ainda nao chegou|nunca chegou)\b`, `\b(?:pedido|pacote|encomenda|produto) (?:errado|danificado|quebrado|atrasado|extraviado|perdido)\b`, `\bchegou (?:quebrado|danificado|errado|aberto)\b`,
					`\b(?:niet (?:aangekomen|ontvangen|geleverd|bezorgd)|nooit (?:aangekomen|ontvangen)|nog steeds niet (?:binnen|ontvangen|bezorgd))\b`, `\b(?:pakket|bestelling|artikel) (?:is )?(?:kwijt|beschadigd|kapot|vertraagd|verkeerd)\b`, `\bverkeerde (?:artikel|product|maat|kleur)\b`, `\bwaar is mijn (?:bestelling|pakket)\b`,
				}},
			}, Vetoes: []Cue{
				{Name: "customers_own_choice", Patterns: []string{
					`\b(?:i|we) (?:picked|chose|ordered|selected|bought|clicked|entered|typed|put) (?:the |a )?wrong\b`,
				}},
				{Name: "not_about_goods", Patterns: []string{
					`\b(?:email|e-mail|confirmation|code|receipt|invoice|newsletter|password reset|reset link|refund|money|verification)\b.{0,20}\b(?:hasn't|has not|never|didn't|did not|not yet)\b.{0,15}\b(?:arrived|come|came|received|here)\b`,
				}},
			}},
			{Topic: frontline.SeverityCancellation, HowToCounts: true, Cues: []Cue{
				{Name: "cancel_subscription", Weight: 0.8, Negatable: true, Patterns: []string{
					`\b(?:cancel|cancelling|canceling|end|stop|terminate|close|delete|deactivate|quit) (?:my |the |our |this )?(?:whole |entire )?(?:subscription|membership|plan|account|contract|sub|auto-?renewal|recurring payment|service)\b`,
					`\b(?:subscription|membership|account|plan|contract) (?:cancel\w*|terminat\w*|closure|deletion)\b`, `\bunsubscribe me\b`,
					`\b(?:don't|do not) want to (?:renew|continue|keep paying|be charged again)\b`, `\bstop (?:charging|billing) me\b`,
					`\b(?:want|would like|'d like|need|wish|trying|going|please|how do i|how can i) to cancel\b`,
					`\b(?:turn off|switch off|disable|stop|cancel) (?:the |my )?auto(?:-| )?renew(?:al)?\b`, `\b(?:get rid of|remove) my account\b`,
					`\b(?:cancelar|anular|dar de baja|darme de baja|cerrar) (?:mi |la )?(?:suscripcion|cuenta|membresia|plan|contrato)?\b`,
					`\b(?:resilier|annuler mon abonnement|fermer mon compte|supprimer mon compte|me desabonner|desabonnement|resiliation)\b`,
					`\b(?:kundigen|kundigung|abo beenden|abonnement beenden|konto loschen|konto schliessen|vertrag beenden)\b`,
					`\b(?:cancelar (?:minha|a) assinatura|encerrar (?:minha )?conta|excluir (?:minha )?conta|cancelar (?:o )?plano)\b`,
					`\b(?:opzeggen|abonnement (?:opzeggen|beeindigen|stopzetten)|account (?:verwijderen|opheffen|sluiten))\b`,
				}},
				{Name: "threat_to_leave", Weight: 0.6, Negatable: false, Patterns: []string{
					`\b(?:i'?m|i am) (?:going to |gonna )?(?:leave|leaving|switch|switching|done with you)\b`, `\b(?:i'?ll|i will) (?:leave|switch|go elsewhere|take my business)\b`,
					`\btake my (?:business|money) elsewhere\b`, `\b(?:switch|switching|move|moving) to (?:another|a different|a competitor|your competitor)\b`,
					`\bnever (?:order|ordering|buy|buying|shop|shopping)\b.{0,20}\bagain\b`, `\byou('ve| have)? lost (?:me|a customer)\b`,
				}},
			}, Vetoes: []Cue{
				{Name: "single_order_or_pause", Patterns: []string{
					`\bcancel\w* (?:my |the |this |an |one |that |a |one of my )?(?:last |latest |recent |new |second )?(?:order|orders|item|items|purchase|delivery|shipment|box|booking)\b`,
					`\b(?:pause|pausing|skip|skipping|freeze|hold|downgrade|upgrade|change|switch) (?:my |the )?(?:subscription|membership|plan)\b`,
					`\bcancelar (?:mi |el )?pedido\b`, `\bannuler (?:ma |la )?commande\b`, `\bbestellung stornieren\b`, `\bcancelar (?:o |meu )?pedido\b`, `\bbestelling annuleren\b`,
				}},
			}},
		},
		Hypothetical: []Cue{
			{Name: "hypothetical", Patterns: []string{
				`\bwhat (?:happens|would happen|will happen|do i do|should i do|do you do) (?:if|when)\b`, `\bwhat if\b`, `\bif (?:i|my|we|you|someone|somebody|it|the|an?) (?:ever|were|was|wanted|want|decide|decided|need|needed|get|got|am|are|is)\b`,
				`\bif ever\b`, `\bin case\b`, `\bhypothetical\w*\b`, `\bsuppos\w+\b`, `\bjust (?:curious|wondering)\b`, `\bin the future\b`,
				`\b(?:is there|what is|what's|what are) (?:a |your |the )?(?:fee|policy|penalty|charge) (?:for|if|when|to)\b`, `\b(?:do|would|will) you (?:refund|charge|cover|reimburse)\b`,
				`\b(?:que pasa si|y si|si alguna vez|en caso de)\b`, `\b(?:que se passe-t-il si|et si|si jamais|au cas ou)\b`,
				`\b(?:was passiert,? wenn|was ist,? wenn|falls (?:ich|mein))\b`, `\b(?:o que acontece se|e se|caso eu|se algum dia)\b`, `\b(?:wat gebeurt er als|wat als|mocht ik|stel dat)\b`,
			}},
		},
		HowTo: []Cue{
			{Name: "how_to", Patterns: []string{
				`\bhow (?:do|can|would|could|should|does) (?:i|we|one|you)\b`, `\bhow to\b`, `\bis (?:there|it) (?:a way|possible) to\b`, `\bwhere (?:can|do|should) i\b`,
				`\b(?:how does|how do) (?:the|your|it)\b`, `\bcan i (?:turn on|enable|set up|activate|change|update)\b`,
				`\b(?:como (?:puedo|hago|se)|se puede)\b`, `\b(?:comment (?:puis-je|faire|on)|est-ce possible de)\b`, `\b(?:wie kann ich|wie geht|kann man)\b`,
				`\b(?:como (?:posso|faco|faz)|da para)\b`, `\b(?:hoe kan ik|hoe werkt|kan ik)\b`,
			}},
		},
		Resolved: []Cue{
			{Name: "resolved", Negatable: true, Patterns: []string{
				`\b(?:it's|its|it is|that's|now|all|everything(?:'s| is)?|issue (?:is |has been )?|problem (?:is |has been )?) (?:been )?(?:resolved|sorted|fixed|solved|fine now|ok now|okay now|back to normal|working again|working now)\b`,
				`\b(?:has|have|was|were|got|had) (?:been )?(?:resolved|sorted(?: out)?|fixed|solved|refunded|reversed|credited|returned)\b`,
				`\b(?:works|working|loads|loading) (?:fine |again|now)\b`, `\b(?:is|it's|site's|app's) back(?: up| online| now)?\b`, `\bback to normal\b`,
				`\b(?:it|the package|the parcel|my order|the order|my package|my parcel|everything|the item) (?:has |just |finally |actually )*(?:arrived|came|turned up|showed up|been delivered)\b`,
				`\b(?:got|received|have) (?:my|the) (?:refund|money back|package|parcel|order)(?: now| back| today| after all)?\b`, `\brefund (?:has )?(?:came|come|went|gone) through\b`,
				`\b(?:never ?mind|nvm|figured it out|problem solved|all good now|false alarm|my mistake|my bad|it was me|it was my (?:wife|husband|partner|son|daughter|kid|kids|brother|sister|mother|father|mom|dad))\b`,
				`\b(?:disappeared|dropped off|was (?:just )?(?:a )?pending|only (?:a )?pending)\b`, `\bno longer (?:an issue|a problem|needed)\b`,
				`\b(?:ya (?:esta resuelto|se soluciono|llego|funciona|me devolvieron)|solucionado|resuelto)\b`, `\b(?:c'est (?:regle|resolu)|ca (?:remarche|marche maintenant)|finalement (?:recu|arrive)|c'etait moi)\b`,
				`\b(?:hat sich erledigt|funktioniert wieder|ist (?:doch )?angekommen|gelost|war ich selbst)\b`, `\b(?:ja (?:resolvido|chegou)|voltou a funcionar|resolvido)\b`,
				`\b(?:is opgelost|werkt weer|is (?:toch )?aangekomen|opgelost)\b`,
			}},
		},
	}
}

func defaultRepetition() RepetitionConfig {
	return RepetitionConfig{
		MinOverlap: 0.6,
		MinShared:  2,
		Stopwords: []string{"the", "a", "an", "and", "or", "but", "i", "me", "my", "you", "your", "it", "its", "is", "are", "was",
			"were", "be", "been", "to", "of", "in", "on", "at", "for", "with", "this", "that", "what", "how", "why", "when",
			"where", "do", "does", "did", "can", "could", "would", "will", "please", "hi", "hello", "hey", "thanks", "thank",
			"again", "still", "just", "so", "not", "no", "yes", "have", "has", "had", "there", "here", "we", "our", "us",
			"el", "la", "los", "las", "de", "que", "y", "en", "mi", "por", "para", "le", "les", "des", "et", "je", "ma", "mon",
			"der", "die", "das", "und", "ich", "ist", "mein", "o", "os", "as", "eu", "meu", "minha", "het", "een", "ik", "mijn",
			"en", "van", "is", "dat"},
		Cues: []Cue{
			{Name: "says_it_repeats", Phrases: []string{
				"asked this already", "asked that already", "already asked", "i asked before", "as i said", "like i said",
				"as i asked", "i already told you", "i repeat", "repeating myself", "again:", "asking again", "one more time",
				"ya lo pregunte", "como ya dije", "je repete", "comme je l'ai dit", "je redemande", "wie gesagt", "ich wiederhole",
				"ich frage nochmal", "como eu disse", "ja perguntei", "zoals ik al zei", "ik vroeg al", "nogmaals",
			}},
		},
	}
}
