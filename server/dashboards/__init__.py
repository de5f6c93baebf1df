"""Dashboards for managers, coaches and HR/admin (docs/dashboards.md): server-rendered tables,
each with a CSV download and, where it helps, a chart drawn from the same figures."""
