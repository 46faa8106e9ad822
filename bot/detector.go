package bot

import (
	"github.com/frontlinehq/frontline"
	"github.com/frontlinehq/frontline/bot/signal"
)

// SignalDetector adapts bot/signal's detectors (built from the operator's
// signal configuration) to the bot's Detector.
func SignalDetector(d *signal.Detector) Detector { return signalDetector{d} }

type signalDetector struct{ d *signal.Detector }

func (s signalDetector) Detect(turns []string) []frontline.Signal { return s.d.Detect(turns).Signals }

// defaultDetector is bot/signal with its shipped configuration.
func defaultDetector() (Detector, error) {
	d, err := signal.New(signal.DefaultConfig())
	if err != nil {
		return nil, err
	}
	return SignalDetector(d), nil
}
