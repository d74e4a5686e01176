package api

// Routes returns "METHOD PATTERN" of every route the mux serves, for the
// tests that hold the OpenAPI document to the mux.
func Routes(s *Server) []string {
	out := make([]string, len(s.routes))
	for i, rt := range s.routes {
		out[i] = rt.method + " " + rt.pattern
	}
	return out
}

// HoldImport takes the server's one import slot, as a running import
// does, until release is called.
func HoldImport(s *Server) (release func()) {
	release, err := s.reg.ImportSlot()
	if err != nil {
		panic("the import slot is taken: " + err.Error())
	}
	return release
}
