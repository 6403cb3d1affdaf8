package e2e

import (
	"net/http/httptest"
	"reflect"
	"testing"

	"github.com/flowhook/flowhook/infra/stack"
	"github.com/flowhook/flowhook/shared/egress"
)

// openStack opens the local stack on dir and serves it over loopback HTTP, starting
// its dispatcher when start is set. close stops the server and closes the stack.
func openStack(t *testing.T, dir string, eg egress.Config, start bool) (s *stack.Stack, c *client, close func()) {
	t.Helper()
	s, err := stack.New(stack.Config{DataDir: dir, Egress: eg})
	if err != nil {
		t.Fatalf("open the stack on %s: %v", dir, err)
	}
	if start {
		s.Start()
	}
	srv := httptest.NewServer(s.Handler)
	closed := false
	close = func() {
		if closed {
			return
		}
		closed = true
		srv.Close()
		if err := s.Close(); err != nil {
			t.Errorf("close the stack: %v", err)
		}
	}
	t.Cleanup(close)
	return s, &client{base: srv.URL, admin: s.Tokens.Admin, ingest: s.Tokens.Ingest, http: srv.Client()}, close
}

// TestRestartRunsQueuedRunOnce is `make run` stopped with a run queued: the event is
// accepted while no dispatcher runs, the process stops, and the next start on the same
// data directory (same tokens, same store) executes the run — once.
func TestRestartRunsQueuedRunOnce(t *testing.T) {
	t.Parallel()
	sc := scenarios[0]
	token := secretToken(t)
	ep := newEndpoint(t, token, sc.respond)
	dir := t.TempDir()

	first, c, closeFirst := openStack(t, dir, ep.egressConfig(), false)
	d := define(t, c, ep, token, sc)
	acc, _ := c.postEvent(t, orderEvent, idemKey)
	if len(acc.RunIDs) != 1 {
		t.Fatalf("POST /events answered %+v; want one run", acc)
	}
	runID := acc.RunIDs[0]
	if run, _ := c.run(t, runID); run.Status != "queued" {
		t.Fatalf("before any dispatcher ran, the run is %s; want queued", run.Status)
	}
	tokens := first.Tokens
	closeFirst()
	if n := len(ep.received()); n != 0 {
		t.Fatalf("the endpoint received %d requests while no dispatcher ran", n)
	}

	second, c, _ := openStack(t, dir, ep.egressConfig(), true)
	if second.Tokens != tokens {
		t.Errorf("the tokens changed across the restart")
	}
	waitFinished(t, c, acc.RunIDs)
	run, raw := c.run(t, runID)
	if run.WorkflowID != d.workflow || run.ContactID != d.contact {
		t.Errorf("run of workflow %s, contact %s; want %s, %s", run.WorkflowID, run.ContactID, d.workflow, d.contact)
	}
	if got := summarize(t, run); !reflect.DeepEqual(got, sc.want) {
		t.Errorf("start history after the restart:\n got %+v\nwant %+v\n%s", got, sc.want, raw)
	}
	checkReceived(t, ep.received(), token, runID, 1)
	// The run is done: executing it again, as a late notification would, sends nothing.
	if err := second.Executor.Execute(t.Context(), runID); err != nil {
		t.Fatal(err)
	}
	checkReceived(t, ep.received(), token, runID, 1)
}
