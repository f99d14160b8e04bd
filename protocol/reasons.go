package protocol

// Reason codes say why the server refused or held a pushed record (PushResult.Code).
// They are stable words: the laptop says each in its own language, naming the
// particulars in PushResult.Args in the order given here; the server's sentence
// (PushResult.Reason) is for its log and for a laptop that does not know the code.
// A code is never reused for another meaning; a new reason gets a new code.
const (
	// ReasonIncomplete: the record does not say what it is or where.
	ReasonIncomplete = "incomplete"
	// ReasonWrongVillage: the record's village is not one of the sender's.
	// Args: the village, the sender's user code.
	ReasonWrongVillage = "wrong_village"
	// ReasonCaseMismatch: the record's case or village is not the one it is sent with.
	ReasonCaseMismatch = "case_mismatch"
	// ReasonNotCompleted: a record that is not completed, returned or approved.
	// Args: its status.
	ReasonNotCompleted = "not_completed"
	// ReasonNoAuditChain: the record comes without its audit chain.
	ReasonNoAuditChain = "no_audit_chain"
	// ReasonAuditChain: the audit chain is broken, does not replay to the answers, or
	// does not end where the record says.
	ReasonAuditChain = "audit_chain"
	// ReasonConflict: the record was changed differently on two laptops.
	ReasonConflict = "conflict"
	// ReasonPhotoMissing: a photo the record names has not been uploaded whole. Held
	// (Retry): the laptop sends the record again. Args: the photo's hash, cut to 8.
	ReasonPhotoMissing = "photo_missing"
	// ReasonRosterVillage: the district's roster puts the person in another village
	// than the record says. Args: the roster's village, the record's.
	ReasonRosterVillage = "roster_village"
	// ReasonForgedAuthor: an audit entry names another user than the laptop that sent
	// it. Args: the user the entry names, the sender.
	ReasonForgedAuthor = "forged_author"
	// ReasonLeaderOnly: an approval or a return from an enumerator's laptop.
	// Args: the user the entry names.
	ReasonLeaderOnly = "leader_only"
	// ReasonNoSigningKey: the entry's author has no signing key enrolled (a laptop
	// enrolled before signatures): enrol again. Args: the author's user code.
	ReasonNoSigningKey = "no_signing_key"
	// ReasonSignature: an audit entry is not signed by a key enrolled for its author.
	ReasonSignature = "bad_signature"
	// ReasonRevokedKey: an entry signed only by a revoked laptop's key, sent by its
	// author or signed after the revocation. Args: the author's user code.
	ReasonRevokedKey = "revoked_key"
	// ReasonNotInTeam: a leader carried, approved or returned a record of a user not
	// in their team. Args: that user, the leader.
	ReasonNotInTeam = "not_in_team"
	// ReasonNoDistrictKey: a decision of the district office, but the server has no
	// district key to check it (the server's configuration). Args: the office user.
	ReasonNoDistrictKey = "no_district_key"
	// ReasonReview: not a refusal — the record is stored, and kept for the district's
	// review (a person its roster does not know) before it counts (PushResult.Review).
	ReasonReview = "review"
	// ReasonFieldTooLong: a text of the record is longer than the server takes.
	// Args: the field.
	ReasonFieldTooLong = "field_too_long"
	// ReasonUnstorable: the record holds a character the district's database cannot
	// keep (NUL).
	ReasonUnstorable = "unstorable"
	// ReasonFormUnknown: the record's form (id@version) is not on the district's form
	// shelf. Held (Retry): sent again once the district adds the form.
	// Args: the form, as id@version.
	ReasonFormUnknown = "form_unknown"
	// ReasonReviewFull: the record's person is not on the district's roster, and the
	// sender already has the most records the server keeps open for the district's
	// review (store.MaxOpenHeld). Held (Retry): sent again once the district has
	// decided on some. Args: that most, as a number.
	ReasonReviewFull = "review_full"
)

// ReasonCodes are every code a server of this version can send, for the laptop's
// table test: each has its sentence in both languages.
var ReasonCodes = []string{
	ReasonIncomplete, ReasonWrongVillage, ReasonCaseMismatch, ReasonNotCompleted,
	ReasonNoAuditChain, ReasonAuditChain, ReasonConflict, ReasonPhotoMissing,
	ReasonRosterVillage, ReasonForgedAuthor, ReasonLeaderOnly, ReasonNoSigningKey,
	ReasonSignature, ReasonFieldTooLong, ReasonUnstorable, ReasonFormUnknown,
	ReasonRevokedKey, ReasonNotInTeam, ReasonNoDistrictKey, ReasonReview,
	ReasonReviewFull,
}
