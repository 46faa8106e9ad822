// Package handoff owns the human side: tiers, teams and skills, the queue and
// routing, SLA policies and their timers, auto-escalation, agents with their
// logins and roles, presence, the console API and page, and the context
// packet the bot hands over. It never answers customers itself.
package handoff
