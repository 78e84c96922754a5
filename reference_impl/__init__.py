"""TensorFlow reference implementations, one module per assignment.

The grader names references by dotted path ("reference_impl.convolution:conv2d")
and imports a module only when it grades that assignment. This package file
must therefore stay free of imports: `import tensorflow` costs seconds, and
paths such as `grade --help` import this package without needing TF.

Each module calls `autograder.reference.configure()` when it is imported.
"""
