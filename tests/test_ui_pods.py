"""The pods table in the real app, against the simulated cluster."""

from conftest import wait_for

from kubetui.kube.config import load_kubeconfig
from kubetui.ui.app import KubetuiApp


async def test_demo_pods_table_shows_scenario_pods_and_drops_deleted_ones(sim, kubeconfig):
    app = KubetuiApp(load_kubeconfig([kubeconfig]))
    async with app.run_test(size=(160, 48)) as pilot:
        assert await wait_for(pilot, lambda: getattr(app, "_browser", None) is not None
                              and app.browser.ready)
        table = app.browser.table
        assert await wait_for(pilot, lambda: "kube-system/etcd-kubetui-control-plane"
                              in table.keys())
        frontend = [k for k in table.keys() if k.startswith("shop/frontend-")]
        assert len(frontend) == 3
        cells, _ = table.row(frontend[0])
        assert cells[0] == "shop" and cells[3] == "Running"
        victim = frontend[0]
        sim.delete("Pod", "shop", victim.split("/")[1])
        assert await wait_for(pilot, lambda: victim not in table.keys())
        await pilot.press("q")
    app.shutdown()
