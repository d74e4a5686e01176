package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"ecoindustry/internal/app"
	"ecoindustry/internal/config"
	"ecoindustry/internal/raster/geotiff"
)

// The demo writes the GEP inputs into its data directory (decision 0031).
func TestDemoWritesGEPInputs(t *testing.T) {
	ctx := context.Background()
	cfg := config.Defaults()
	cfg.Data = t.TempDir()
	a, err := app.Open(ctx, &cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.LoadDemo(ctx, slog.New(slog.DiscardHandler), 1, 50); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(cfg.Data, "gep", "README.md"))
	if err != nil || !strings.Contains(string(readme), "SYNTHETIC") {
		t.Fatalf("README: %v", err)
	}
	r, err := geotiff.Open(filepath.Join(cfg.Data, "gep", "lulc.tif"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if g := r.Grid(); g.EPSG != 4549 || g.Transform[1] != 100 {
		t.Errorf("land cover grid %+v, want EPSG:4549 at 100 m", g)
	}
}
