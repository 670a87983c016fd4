"""kubetui.sim: a simulated Kubernetes cluster that speaks the real REST API on loopback.

It is what `kubetui --demo`, the tests and the benchmarks run against, and kubectl can
use it too (`kubetui sim --write-kubeconfig FILE`). It is a simulation, not a cluster: no
container runs, no network exists. kubectl 1.32 and the official Python client are the
judges of what it does; the tests in `tests/test_sim_*.py` hold it to them.

What it serves
- Discovery, OpenAPI v3 (paths only), `/version`, `/healthz|livez|readyz[?verbose]`.
- Built-in kinds: namespaces, nodes, pods, services, endpoints, configmaps, secrets,
  serviceaccounts, events, PVCs, PVs, componentstatuses; deployments, replicasets,
  statefulsets, daemonsets, controllerrevisions; jobs, cronjobs; ingresses,
  ingressclasses, networkpolicies; endpointslices; storageclasses; HPAs (autoscaling/v2);
  PDBs; leases; roles, rolebindings, clusterroles, clusterrolebindings; CRDs, which serve
  their kinds with their printer columns.
- list/get/create/update/patch (strategic, merge, JSON patch, server-side apply as a
  merge that creates)/delete with Background, Foreground and Orphan propagation; label
  and field selectors; limit/continue; `/scale`; status subresources.
- Watch: replay from a bounded log, 410 Expired as an ERROR event, bookmarks,
  `sendInitialEvents`, `timeoutSeconds`, selector transitions.
- Server-side Tables with kubectl's columns for every kind (`kubetui.render.printers`).
- `pods/log` (follow, previous, tail, since, timestamps, limitBytes) from lazy per-image
  log profiles; `pods/exec` over websocket v5/v4 (no SPDY) into a small shell
  (`shell.py`) over a fake filesystem built from the pod spec; `pods/portforward` over
  websocket v4 (`portforward.py`); `pods/ephemeralcontainers` with the real validation,
  started by the kubelet, their shell over the target's processes and files
  (`ephemeral.py`); `pods/attach` to such a shell.
- `metrics.k8s.io/v1beta1` pods and nodes (made-up, steady usage), so `kubectl top`
  works; the HPA controller scales on it.
- Bearer tokens (`auth.py`), RBAC over the stored roles and bindings with the real 403
  messages, SelfSubjectAccessReview / RulesReview / SelfSubjectReview, optional TLS with a
  throwaway CA. Over plain http a request without a token is the admin (kubectl sends no
  credentials over http); over TLS it is `system:anonymous`.
- Controllers: Deployment, ReplicaSet, StatefulSet (ordered, PVCs), DaemonSet, Job,
  CronJob (wall-clock schedules), EndpointSlice/Endpoints, volume binding with a
  local-path provisioner, HPA, CRD, namespace bootstrap, scheduler (requests, taints,
  nodeSelector, unbound PVCs), kubelet (phases, probes, restarts with back-off, events),
  node Leases in kube-node-lease renewed every 10 s (`leases.py`).
- Container behaviours by annotation (`behavior.py`), faults on demand (`faults.py`),
  bulk pods and churn for benchmarks (`bulk.py`).

What it does not do (do not mistake it for a cluster)
- No protobuf request bodies except the review objects `kubectl auth can-i` sends: so
  `kubectl create <kind>`, `run` and `expose` are refused with a message; use `apply -f`.
- No schema validation: unknown fields are kept, `fieldValidation=Strict` is not
  enforced, CRD schemas are not checked. managedFields record each manager's fields and
  last change (list items owned whole), but server-side apply is a merge with no
  conflict detection and no field removal (a field left out of the applied manifest
  stays). `dryRun=All` on create, update and patch validates and stores nothing (a
  dry-run create is not defaulted: no cluster IP is given).
- No admission chain beyond defaulting (no LimitRanges, ResourceQuotas, PodSecurity);
  the DefaultStorageClass step happens in the binder, after create.
- The scheduler knows requests, taints/tolerations, nodeSelector and PVCs: not affinity,
  topology spread or preemption. DaemonSet pods are bound directly to their node.
- Ingresses get no address; Services get ClusterIPs but nothing routes; NetworkPolicies
  are stored, not enforced.
- PodDisruptionBudgets: the disruption controller computes their status from the
  selector and pod readiness, with the expected count from the scale of Deployments,
  ReplicaSets and StatefulSets only (not an arbitrary /scale, and pods of other
  controllers or none count for nothing toward expectedPods with maxUnavailable or a
  percentage, where the real controller reports a SyncFailed condition);
  `unhealthyPodEvictionPolicy` is not read. `pods/eviction` answers as eviction.go does
  (201, 429 with the budget's numbers, 404, 500 for two budgets); a cordoned node gets
  the unschedulable taint, and kubectl drain works.
- Exec: a fixed small command set, no pipes into real processes, no SPDY fallback, no
  proxy. Attach only to a shell started with stdin and tty (debug containers).
  Port-forward over websocket v4 only: nginx-like images serve a page, redis-like ones
  answer PING, the rest is refused in the kubelet's words; kubectl's SPDY (plain or in a
  websocket) is refused, so `kubectl port-forward` does not work. Logs are generated,
  not written by programs.
- Node heartbeats are static; nodes never go NotReady by themselves; no taint-based or
  pressure eviction by the kubelet (the Eviction API is served, see above). Node Leases
  are renewed whatever a node's kubelet annotation says and never expire.
- Field selectors are checked against each built-in kind's field labels as the real
  server converts them (sim/selectors.py), but a custom resource's `selectableFields`
  are not modelled: any field is taken.
- Aggregated discovery is not served (kubectl falls back to the legacy documents).
- Watch replay scans its log linearly; the log keeps 50,000 changes by default.
"""

from .cluster import SimCluster

__all__ = ["SimCluster"]
