module godiff

go 1.19
