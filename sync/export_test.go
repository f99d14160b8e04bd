package sync

// PayloadBytes is the slow-link benchmark's yardstick: every record of the outbox in
// one push body, gzip'd as the client gzips a batch — the fewest bytes the records
// cross the link as, each once, with no batch boundary, header or resend.
func PayloadBytes(s *Syncer) (int, error) {
	queue, err := s.Session.Outbox(0)
	if err != nil {
		return 0, err
	}
	req, err := s.pushRequest(queue)
	if err != nil {
		return 0, err
	}
	body, _, err := gzipJSON(req)
	return len(body), err
}
