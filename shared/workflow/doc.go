// Package workflow validates workflows and executes their runs: webhook steps through the
// delivery package, condition steps by regular expression or Velocity expression, and
// message steps rendered with the run's context, recording each step as it completes so
// a redelivered run resumes after its last completed step.
package workflow
