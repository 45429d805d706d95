package runner

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/llmbench/llmbench-action/pipeline/client"
	"github.com/llmbench/llmbench-action/pipeline/loadgen"
	"github.com/llmbench/llmbench-action/pipeline/matrix"
	"github.com/llmbench/llmbench-action/pipeline/metrics"
	"github.com/llmbench/llmbench-action/pipeline/record"
	"github.com/llmbench/llmbench-action/pipeline/results"
	"github.com/llmbench/llmbench-action/pipeline/scrape"
	"github.com/llmbench/llmbench-action/pipeline/workload"
)

// ErrServerNotStarted fails the cells of a group whose server did not start
// or did not become ready.
var ErrServerNotStarted = errors.New("server not ready")

// runGroup starts one server, runs its cells and stops it. Every step is a
// stage. A failed stage fails its cell, and a failed server fails the cells
// that needed it but never the cells of other groups.
func runGroup(ctx context.Context, opts Options, writer *results.Writer, g group) []CellResult {
	rep := opts.Reporter
	groupStage := rep.Run(g.ID)
	failAll := func(err error) []CellResult {
		var out []CellResult
		for _, c := range g.Cells {
			st := rep.Run(c.ID)
			if ctx.Err() != nil {
				// Interrupted while the server started: the cell never ran.
				st.Skip("not run: the run was interrupted")
				out = append(out, CellResult{Cell: c, Skipped: true, Err: ErrInterrupted})
				continue
			}
			st.Fail(fmt.Errorf("%w: %v", ErrServerNotStarted, err))
			out = append(out, CellResult{Cell: c, Err: fmt.Errorf("%w: %v", ErrServerNotStarted, err)})
		}
		return out
	}
	endGroup := func() {
		if ctx.Err() != nil {
			groupStage.Skip("interrupted")
		} else {
			groupStage.Fail(nil)
		}
	}

	// start
	startStage := rep.Run(g.ID + "/start")
	srv, err := startServer(ctx, opts, g, startStage.Logf)
	if err != nil {
		startStage.Fail(err)
		out := failAll(err)
		endGroup()
		return out
	}
	startStage.Logf("%s at %s", describeServer(opts, srv), client.RedactURL(srv.baseURL))
	startStage.Pass()

	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		stopStage := rep.Run(g.ID + "/stop")
		stopCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if err := srv.stop(stopCtx); err != nil {
			stopStage.Fail(err)
			return
		}
		stopStage.Pass()
	}
	defer stop()

	// ready
	readyStage := rep.Run(g.ID + "/ready")
	cl, err := newClient(opts, srv, g.Cells)
	if err == nil {
		err = cl.CheckModel(ctx, srv.servedModel)
	}
	if err != nil {
		readyStage.Fail(err)
		out := failAll(err)
		stop()
		endGroup()
		return out
	}
	readyStage.Pass()

	// warm-up: the first workload's warm-up requests, once per server.
	warmStage := rep.Run(g.ID + "/warmup")
	if err := warmUp(ctx, cl, srv, g); err != nil {
		warmStage.Fail(err)
	} else {
		warmStage.Pass()
	}

	var out []CellResult
	for _, c := range g.Cells {
		if ctx.Err() != nil {
			out = append(out, CellResult{Cell: c, Skipped: true, Err: ErrInterrupted})
			continue
		}
		res := runCell(ctx, opts, writer, srv, cl, c)
		out = append(out, res)
		if errors.Is(res.Err, ErrServerExited) {
			// The server is gone: the remaining cells of the group cannot run.
			for _, rest := range g.Cells[len(out):] {
				st := rep.Run(rest.ID)
				st.Fail(res.Err)
				out = append(out, CellResult{Cell: rest, Err: res.Err})
			}
			break
		}
	}

	// metrics: the server-side peaks of every workload, beside the client's numbers.
	metricsStage := rep.Run(g.ID + "/metrics")
	reported := false
	for _, r := range out {
		if len(r.Peaks) > 0 {
			metricsStage.Logf("%s: %s", r.Cell.Workload.Name, formatPeaks(r.Peaks))
			reported = true
		}
	}
	if reported {
		metricsStage.Pass()
	} else {
		metricsStage.Skip("no server metrics scraped")
	}

	stop()
	failed := false
	for _, r := range out {
		if r.Err != nil {
			failed = true
		}
	}
	if failed {
		groupStage.Fail(nil)
	} else {
		groupStage.Pass()
	}
	return out
}

// warmUp sends the warm-up requests of the group's first workload that has
// any. Their records are dropped: warm-up is left out of every number.
func warmUp(ctx context.Context, groupClient *client.Client, srv *server, g group) error {
	for _, c := range g.Cells {
		w := c.Workload
		if w.WarmupRequests == 0 {
			continue
		}
		warm, _, err := workload.BuildRequests(w, srv.servedModel)
		if err != nil {
			return err
		}
		cl, err := groupClient.WithTimeout(warmupTimeout(w.Timeout))
		if err != nil {
			return err
		}
		res, err := loadgen.Run(ctx, loadgen.Config{
			Workload:  w,
			Framework: c.Framework.Name,
			Model:     c.Model.ID,
			Warmup:    warm,
			Doer:      cl,
		})
		if err != nil {
			return err
		}
		failed := 0
		for _, r := range res.Records {
			if !r.OK {
				failed++
			}
		}
		if failed > 0 {
			return fmt.Errorf("%d of %d warm-up requests failed (first: %s)", failed, len(res.Records), firstFailure(res.Records))
		}
		return nil
	}
	return nil
}

func warmupTimeout(d time.Duration) time.Duration {
	if d <= 0 {
		return 10 * time.Minute
	}
	return d
}

// ErrServerExited fails a cell whose server stopped during its workload, and
// the group's later cells.
var ErrServerExited = errors.New("server exited")

// runCell runs one workload against a running server, writes its records and
// returns its summary.
func runCell(ctx context.Context, opts Options, writer *results.Writer, srv *server, groupClient *client.Client, c matrix.Cell) CellResult {
	st := opts.Reporter.Run(c.ID)
	res := CellResult{Cell: c}
	w := c.Workload

	_, measured, err := workload.BuildRequests(w, srv.servedModel)
	if err != nil {
		res.Err = err
		st.Fail(err)
		return res
	}
	// The group's connection pool, with the workload's per-request timeout.
	cl, err := groupClient.WithTimeout(w.Timeout)
	if err != nil {
		res.Err = err
		st.Fail(err)
		return res
	}

	cellCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if srv.exited != nil {
		go func() {
			select {
			case err := <-srv.exited:
				cancel(fmt.Errorf("%w: %v", ErrServerExited, err))
			case <-cellCtx.Done():
			}
		}()
	}

	start := time.Now()
	var scraper *scrape.Scraper
	scrapeDone := make(chan struct{})
	if opts.ScrapeInterval > 0 && srv.flavor != "" {
		scraper = scrape.New(srv.baseURL, srv.flavor, opts.ScrapeInterval, nil)
		// A first sample before any request, so counter increases cover the
		// whole workload.
		_ = scraper.Scrape(cellCtx, start)
		scrapeCtx, stopScrape := context.WithCancel(cellCtx)
		defer stopScrape()
		go func() {
			defer close(scrapeDone)
			scraper.Run(scrapeCtx, start)
		}()
		defer func() { stopScrape(); <-scrapeDone }()
	} else {
		close(scrapeDone)
	}

	run, runErr := loadgen.Run(cellCtx, loadgen.Config{
		Workload:  w,
		Framework: c.Framework.Name,
		Model:     c.Model.ID,
		Requests:  measured,
		Doer:      cl,
		Progress: func(done, failed, total int) {
			if opts.Progress != nil {
				opts.Progress(c.ID, done, failed, total)
			}
		},
	})

	if srv.exited != nil && lostConnection(run.Records) {
		// Requests that lost their connection may mean the server died, and
		// the engine reports a container's exit with a delay: wait for it,
		// so the cell fails as "server exited" with the exit code.
		select {
		case <-cellCtx.Done():
		case <-time.After(serverExitGrace):
		}
	}

	if scraper != nil {
		// One last sample, so the workload's final interval is not lost.
		_ = scraper.Scrape(context.WithoutCancel(ctx), start)
		res.Peaks = serverPeaks(scraper.Samples())
	}

	records := measuredRecords(run.Records)
	complete := runErr == nil && cellCtx.Err() == nil && len(records) == len(measured)
	info := results.CellInfo{
		Framework:     c.Framework.Name,
		Model:         c.Model.ID,
		Workload:      w.Name,
		Options:       summaryOptions(opts, c),
		Image:         srv.image,
		ImageDigest:   srv.digest,
		ModelRevision: c.Model.Revision,
		ModelParams:   c.Model.Params,
		Target:        opts.Target,
		Complete:      complete,
	}
	if err := writer.WriteCell(info, records); err != nil {
		res.Err = fmt.Errorf("writing results of %s: %w", c.ID, err)
		st.Fail(res.Err)
		return res
	}

	sum := metrics.Summarize(c.Framework.Name, c.Model.ID, w.Name, records, info.Options)
	res.Summary = &sum
	st.Logf("%s", summaryLine(w.Name, sum, len(measured)))
	for _, warning := range sum.Warnings {
		st.Logf("warning: %s", warning)
	}

	switch {
	case context.Cause(cellCtx) != nil && errors.Is(context.Cause(cellCtx), ErrServerExited):
		res.Err = fmt.Errorf("%s: %w", c.ID, context.Cause(cellCtx))
		if logs := srv.lastLogs(); len(logs) > 0 {
			res.Err = fmt.Errorf("%w\nlast server log lines:\n  %s", res.Err, strings.Join(logs, "\n  "))
		}
	case ctx.Err() != nil:
		res.Err = ErrInterrupted
	case runErr != nil:
		res.Err = runErr
	case sum.RequestsFailed > 0:
		res.Err = fmt.Errorf("%d of %d requests failed (%s); first: %s",
			sum.RequestsFailed, sum.RequestsTotal, formatFailures(sum.Failures), firstFailure(records))
	}
	if res.Err != nil {
		st.Fail(res.Err)
	} else {
		st.Pass()
	}
	return res
}

// serverPeaks returns the peak of each gauge and, for each token counter,
// its increase over the workload's samples.
func serverPeaks(samples []scrape.Sample) map[string]float64 {
	peaks := scrape.Peaks(samples)
	for name := range peaks {
		if scrape.IsCounter(name) {
			delete(peaks, name)
		}
	}
	for name, v := range scrape.Increase(samples) {
		peaks[name] = v
	}
	return peaks
}

// serverExitGrace is how long a cell whose requests lost their connection
// waits for the server's exit to be reported.
const serverExitGrace = 5 * time.Second

// lostConnection reports whether any request failed to connect or was cut.
func lostConnection(records []record.Record) bool {
	for _, r := range records {
		if r.Failure == record.FailureConnect || r.Failure == record.FailureTruncated {
			return true
		}
	}
	return false
}

// measuredRecords drops warm-up records.
func measuredRecords(records []record.Record) []record.Record {
	out := make([]record.Record, 0, len(records))
	for _, r := range records {
		if !r.Warmup {
			out = append(out, r)
		}
	}
	return out
}

// summaryOptions returns the summary options of a cell.
func summaryOptions(opts Options, c matrix.Cell) metrics.Options {
	price := opts.Matrix.PricePerHourUSD
	if opts.PricePerHourUSD > 0 {
		price = opts.PricePerHourUSD
	}
	return metrics.Options{
		PricePerHourUSD: price,
		SLO:             opts.Matrix.SLO,
		TargetRate:      c.Workload.RequestRate,
		Concurrency:     c.Workload.Concurrency,
	}
}

// newClient returns the streaming client of a server group: one keep-alive
// connection pool as large as the most requests any of its workloads has in
// flight, so connections opened during warm-up serve the measured requests.
func newClient(opts Options, srv *server, cells []matrix.Cell) (*client.Client, error) {
	pool := 1
	for _, c := range cells {
		w := c.Workload
		inFlight := w.Concurrency
		if w.OpenLoop() && w.Concurrency == 0 {
			inFlight = w.NumRequests
		}
		pool = max(pool, inFlight)
	}
	return client.New(client.Options{
		BaseURL:     srv.baseURL,
		Concurrency: pool,
		Tokenizer:   opts.Tokenizer,
		KeepText:    opts.KeepText,
	})
}

// firstFailure returns the kind and message of the first failed record.
func firstFailure(records []record.Record) string {
	for _, r := range records {
		if !r.OK {
			msg := string(r.Failure)
			if r.ErrorMessage != "" {
				msg += ": " + r.ErrorMessage
			}
			return msg
		}
	}
	return "none"
}
