def test_attach_lun_to_defined_domain(test_node, run_module):
    uri, conn = test_node
    r = run_module("domain_disk_lun", {"uri": uri, "domain": "guest-off", "dev": "/dev/sdb"}, diff=True)
    assert r.changed, r
    r2 = run_module("domain_disk_lun", {"uri": uri, "domain": "guest-off", "dev": "/dev/sdb"})
    assert not r2.changed, r2
