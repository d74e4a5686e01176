// Package metrics is EcoIndustry's Prometheus instrumentation: one registry,
// the collectors each component updates, and the /metrics handler.
package metrics

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors.
type Metrics struct {
	reg *prometheus.Registry

	// Ingestion server.
	Frames       *prometheus.CounterVec // by cn and result: stored, duplicate, revision, rejected
	Rejects      *prometheus.CounterVec // by reason
	Connections  prometheus.Gauge
	AuthFailures prometheus.Counter

	// Batch writer.
	BatchFrames   prometheus.Histogram
	CommitSeconds prometheus.Histogram
}

// New makes the collectors and registers them, with the Go runtime's.
func New() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		Frames: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ecoind_hj212_frames_total",
			Help: "HJ 212 frames received, by command code and result."}, []string{"cn", "result"}),
		Rejects: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ecoind_hj212_rejects_total",
			Help: "Input rejected by the ingestion server, by reason."}, []string{"reason"}),
		Connections: prometheus.NewGauge(prometheus.GaugeOpts{Name: "ecoind_hj212_connections",
			Help: "Open data-logger connections."}),
		AuthFailures: prometheus.NewCounter(prometheus.CounterOpts{Name: "ecoind_hj212_auth_failures_total",
			Help: "Frames from an unknown MN or with a wrong password."}),
		BatchFrames: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ecoind_writer_batch_frames",
			Help: "Frames per committed batch.", Buckets: prometheus.ExponentialBuckets(1, 4, 8)}),
		CommitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "ecoind_writer_commit_seconds",
			Help: "Time to write and commit one batch.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 14)}),
	}
	m.reg.MustRegister(m.Frames, m.Rejects, m.Connections, m.AuthFailures, m.BatchFrames, m.CommitSeconds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}
