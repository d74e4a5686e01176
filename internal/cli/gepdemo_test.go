package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGEPDemoData(t *testing.T) {
	out := filepath.Join(t.TempDir(), "gep")
	code, stdout, stderr := run(t, nil, "gep", "demo-data", "--out", out)
	if code != 0 || !strings.Contains(stdout, "synthetic") || !strings.Contains(stdout, "80.0 %") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	readme, err := os.ReadFile(filepath.Join(out, "README.md"))
	if err != nil || !strings.Contains(string(readme), "SYNTHETIC") {
		t.Fatalf("README: %v %.80s", err, readme)
	}
	code, _, stderr = run(t, nil, "gep", "demo-data", "--out", out, "--res", "50")
	if code != 2 || !strings.Contains(stderr, "100 or 30") {
		t.Errorf("--res 50: exit %d, %s", code, stderr)
	}
	code, _, stderr = run(t, nil, "gep", "demo-data")
	if code != 2 || !strings.Contains(stderr, "--out") {
		t.Errorf("no --out: exit %d, %s", code, stderr)
	}
}

// The closed plants of the demo's registry restored to forest, beside
// the rectification figures: their sites are parcels of the scenario.
func TestGEPScenarioClosedPlants(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"ECOIND_DATA": data}
	if code, _, stderr := run(t, env, "demo", "--prepare-only", "--enterprises", "300"); code != 0 {
		t.Fatalf("demo: %s", stderr)
	}
	out := filepath.Join(t.TempDir(), "restored")
	code, stdout, stderr := run(t, env, "gep", "scenario", "--inputs", filepath.Join(data, "gep"), "--closed-plants", "--to", "21", "--out", out)
	if code != 0 || !strings.Contains(stdout, "closed plants") || !strings.Contains(stdout, "carbon_storage") {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "scenario.json")); err != nil {
		t.Error(err)
	}
	code, _, stderr = run(t, env, "gep", "scenario", "--inputs", filepath.Join(data, "gep"), "--closed-plants", "--out", out)
	if code != 2 || !strings.Contains(stderr, "--to") {
		t.Errorf("without --to: exit %d %s", code, stderr)
	}
}
