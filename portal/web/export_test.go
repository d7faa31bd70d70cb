package web

// ShowPatients cuts the professional's list of patients to n for a test,
// and returns what puts it back.
func ShowPatients(n int) (restore func()) {
	was := proPatientsShown
	proPatientsShown = n
	return func() { proPatientsShown = was }
}
