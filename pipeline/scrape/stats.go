package scrape

// Peaks returns the highest value of each canonical name over the samples.
// For a counter the peak is its last value, a total since the server started;
// Increase gives the part that falls within the samples. A name absent from
// every sample is absent from the result.
func Peaks(samples []Sample) map[string]float64 {
	peaks := make(map[string]float64)
	for _, sample := range samples {
		for name, v := range sample.Values {
			if old, ok := peaks[name]; !ok || v > old {
				peaks[name] = v
			}
		}
	}
	return peaks
}

// Increase returns how much each counter (see Counters) grew from its first
// to its last sample. A drop between two samples is taken as a server restart
// that reset the counter to 0, so the value after the drop is added in full.
// A counter seen in fewer than two samples is absent from the result.
func Increase(samples []Sample) map[string]float64 {
	increase := make(map[string]float64)
	for _, name := range Counters {
		var prev float64
		seen := 0
		total := 0.0
		for _, sample := range samples {
			v, ok := sample.Values[name]
			if !ok {
				continue
			}
			switch {
			case seen == 0:
			case v >= prev:
				total += v - prev
			default:
				total += v
			}
			prev = v
			seen++
		}
		if seen >= 2 {
			increase[name] = total
		}
	}
	return increase
}
