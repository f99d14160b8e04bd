package bundle

import "github.com/doorstep-survey/doorstep/keycard"

// Card is a user's public keys with who they are (keycard.Card): what a team member (or
// the district) needs to send them a bundle and to trust theirs.
type Card = keycard.Card

// ParseCard reads one card line.
func ParseCard(line string) (Card, error) { return keycard.Parse(line) }

// ParseCards reads a file of cards, one a line; blank lines and lines starting with #
// are skipped. Every bad line is reported with its number.
func ParseCards(text string) ([]Card, error) { return keycard.ParseAll(text) }
