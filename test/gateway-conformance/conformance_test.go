// The Kubernetes Gateway API conformance suite (sigs.k8s.io/gateway-api/conformance), built as a
// test binary of this project's own module: the suite's own go.mod replaces the API module with
// ../, which the module zip lacks, so it cannot be built where the module cache holds it. This
// module requires both published modules at the same release instead. local-cluster/lib/conformance.sh
// builds it (`go test -c`) and runs it against the local cluster with the suite's flags
// (-gateway-class, -conformance-profiles, -report-output, ...); docs/local-cluster.md.
package conformance_test

import (
	"testing"

	"sigs.k8s.io/gateway-api/conformance"
)

func TestConformance(t *testing.T) {
	conformance.RunConformance(t)
}
