package results

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
)

// killHelperEnv makes the test binary act as a benchmark that writes cell 1
// and is then killed while writing cell 2. Its value is where it stops:
// "cell" blocks before the rename of cell 2's own file, "requests" before
// the rename of the requests.parquet that includes cell 2.
const killHelperEnv = "LLMBENCH_RESULTS_KILL_HELPER"

func runKillHelper(stage string) {
	dir := os.Getenv("LLMBENCH_RESULTS_DIR")
	cells := testCells()
	w, err := Create(dir, testRunInfo())
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	if err := w.WriteCell(cells[0].info, cells[0].records); err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	cell2File := filepath.Join(dir, CellsDir, cells[1].info.Key().fileID()+".parquet")
	cell2Written := false
	testHookBeforeRename = func(path string) {
		blocked := false
		switch {
		case stage == "cell" && path == cell2File:
			blocked = true
		case stage == "requests" && path == cell2File:
			cell2Written = true
		case stage == "requests" && cell2Written && filepath.Base(path) == RequestsFile:
			blocked = true
		}
		if blocked {
			fmt.Println("blocked before renaming", path)
			select {}
		}
	}
	if err := w.WriteCell(cells[1].info, cells[1].records); err != nil {
		fmt.Println("error:", err)
		os.Exit(3)
	}
	fmt.Println("error: WriteCell returned although the hook blocks")
	os.Exit(3)
}

func TestKilledRunKeepsFinishedCells(t *testing.T) {
	if stage := os.Getenv(killHelperEnv); stage != "" {
		runKillHelper(stage)
		return
	}

	for _, stage := range []string{"cell", "requests"} {
		t.Run(stage, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			cmd := exec.Command(os.Args[0], "-test.run=^TestKilledRunKeepsFinishedCells$")
			cmd.Env = append(os.Environ(), killHelperEnv+"="+stage, "LLMBENCH_RESULTS_DIR="+dir)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			if !strings.HasPrefix(line, "blocked before renaming") {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("helper did not reach the kill point: %q", line)
			}
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			if err := cmd.Wait(); err == nil {
				t.Fatal("helper exited cleanly after SIGKILL")
			}

			cells := testCells()
			run, err := Open(dir)
			if err != nil {
				t.Fatalf("Open after SIGKILL: %v", err)
			}
			temps, _ := filepath.Glob(filepath.Join(dir, "*", ".*.tmp-*"))
			rootTemps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*"))
			if len(temps)+len(rootTemps) != 1 {
				t.Errorf("found temporary files %v %v, want the one the kill left", temps, rootTemps)
			}

			switch stage {
			case "cell":
				if len(run.Cells) != 1 {
					t.Fatalf("Open found %d cells, want 1", len(run.Cells))
				}
				if !reflect.DeepEqual(run.Cells[0].Records, stored(cells[0].records)) {
					t.Errorf("cell 1 records differ from the written ones")
				}
				if want := []CellKey{cells[1].info.Key()}; !reflect.DeepEqual(run.Missing, want) {
					t.Errorf("Missing = %v, want %v", run.Missing, want)
				}
				if run.Recovered {
					t.Errorf("Recovered = true, want false: requests.parquet holds cell 1")
				}
			case "requests":
				// Cell 2's file was renamed into place, so Open recovers it
				// from the cells folder although requests.parquet lacks it.
				if len(run.Cells) != 2 {
					t.Fatalf("Open found %d cells, want 2", len(run.Cells))
				}
				for i, c := range cells {
					if !reflect.DeepEqual(run.Cells[i].Records, stored(c.records)) {
						t.Errorf("cell %s records differ from the written ones", c.info.Key())
					}
				}
				if len(run.Missing) != 0 {
					t.Errorf("Missing = %v, want none", run.Missing)
				}
				if !run.Recovered {
					t.Errorf("Recovered = false, want true")
				}
			}

			// An independent reader reads requests.parquet too.
			table, _ := readArrow(t, filepath.Join(dir, RequestsFile))
			if got, want := table.NumRows(), int64(len(cells[0].records)); got != want {
				t.Errorf("arrow read %d rows from requests.parquet, want %d", got, want)
			}
		})
	}
}
