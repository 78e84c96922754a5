import os

os._exit(1)   # kills the process in the middle of loading
