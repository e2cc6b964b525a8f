// The staff service (being written).
