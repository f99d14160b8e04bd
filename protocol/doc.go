// Package protocol is the wire protocol between the laptop and the district server
// (PROTOCOL.md): the messages of enrolment, push, pull and forms, the push results,
// and what the district signs for a form. Both sides import it; it imports neither,
// so the server's binary links no laptop store and the laptop's links no server.
package protocol
