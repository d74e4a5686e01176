// Package i18n is the dashboard's message catalogue: every string of the
// pages, in Simplified Chinese (the default) and English, by key. A test
// holds both languages to the same keys and the templates to keys that
// exist.
package i18n

// Languages are the catalogue's languages, the default first.
var Languages = []string{"zh", "en"}

// T is the message of key in language l; a key the catalogue lacks shows
// as itself in brackets (the tests keep that from happening).
func T(l, key string) string {
	if m, ok := catalogue[l][key]; ok {
		return m
	}
	if m, ok := catalogue["zh"][key]; ok {
		return m
	}
	return "[" + key + "]"
}

// Keys returns the keys of language l.
func Keys(l string) []string {
	var ks []string
	for k := range catalogue[l] {
		ks = append(ks, k)
	}
	return ks
}

var catalogue = map[string]map[string]string{"zh": zh, "en": en}
