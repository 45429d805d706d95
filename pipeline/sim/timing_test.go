package sim

import (
	"bufio"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkStreamTiming measures how closely a client sees the fixed
// latencies: 64 concurrent streams of 128 tokens with --sim-ttft 50ms and
// --sim-itl 10ms. It reports p50, p99, min and max errors in microseconds.
// ttft_err is the client TTFT minus 50 ms. token_err is each later token's
// arrival minus the first token's minus k × 10 ms. sched_err is each
// token's arrival minus the send time minus 50 ms minus k × 10 ms.
func BenchmarkStreamTiming(b *testing.B) {
	const (
		streams = 64
		tokens  = 128
		ttft    = 50 * time.Millisecond
		itl     = 10 * time.Millisecond
	)
	url := startSim(b, FlavorVLLM, "m", "--sim-ttft", ttft.String(), "--sim-itl", itl.String())
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: streams, DisableCompression: true}}
	body := `{"prompt":[1,2,3,4,5,6,7,8],"max_tokens":128,"ignore_eos":true,"stream":true}`

	var (
		mu        sync.Mutex
		firstErrs []time.Duration
		tokenErrs []time.Duration
		schedErrs []time.Duration
	)
	for b.Loop() {
		var wg sync.WaitGroup
		for range streams {
			wg.Go(func() {
				times, err := timeStream(client, url+"/v1/completions", body)
				if err != nil {
					b.Error(err)
					return
				}
				if len(times) != tokens+1 {
					b.Errorf("got %d token times, want %d", len(times)-1, tokens)
					return
				}
				sent, first := times[0], times[1]
				mu.Lock()
				defer mu.Unlock()
				firstErrs = append(firstErrs, first.Sub(sent)-ttft)
				for k, at := range times[2:] {
					tokenErrs = append(tokenErrs, at.Sub(first)-time.Duration(k+1)*itl)
				}
				for k, at := range times[1:] {
					schedErrs = append(schedErrs, at.Sub(sent)-ttft-time.Duration(k)*itl)
				}
			})
		}
		wg.Wait()
	}

	report := func(name string, errs []time.Duration) {
		if len(errs) == 0 {
			return
		}
		slices.Sort(errs)
		b.ReportMetric(float64(errs[len(errs)/2].Microseconds()), name+"_p50_us")
		b.ReportMetric(float64(errs[len(errs)*99/100].Microseconds()), name+"_p99_us")
		b.ReportMetric(float64(errs[len(errs)-1].Microseconds()), name+"_max_us")
		b.ReportMetric(float64(errs[0].Microseconds()), name+"_min_us")
	}
	report("ttft_err", firstErrs)
	report("token_err", tokenErrs)
	report("sched_err", schedErrs)
}

// timeStream posts body and returns the send time followed by the arrival
// time of each token-bearing event, read line by line from the socket.
func timeStream(client *http.Client, url, body string) ([]time.Time, error) {
	times := []time.Time{time.Now()}
	resp, err := client.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadSlice('\n')
		now := time.Now()
		if err != nil {
			return times, nil
		}
		if strings.HasPrefix(string(line), "data: {") {
			times = append(times, now)
		}
	}
}
