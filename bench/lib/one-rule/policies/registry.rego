# A typical organisation rule: containers run images from the team's registry. The benchmarks'
# images (dockward-bench-…) pass, so every request is judged in full and allowed.
package dockward.bench

import rego.v1

deny contains {"id": "ORG001", "message": sprintf("image %s is not from the team's registry", [input.workload.image.value])} if {
	input.kind == "container"
	not startswith(input.workload.image.value, "dockward-bench-")
	not startswith(input.workload.image.value, "registry.example.com/")
}
