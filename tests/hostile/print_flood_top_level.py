line = "spam " * 204 + "\n"       # 1 KB
for _ in range(100 * 1024):      # 100 MB of prints while loading
    print(line, end="")
