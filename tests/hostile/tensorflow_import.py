import tensorflow as tf   # allowed to "import" (a stand-in module), not to use
# %%
from tensorflow import keras   # fails in this cell only
# %%
def gradient_descent(x, y_true, W, b, learning_rate, n_steps):
    W = tf.Variable(W)
    b = tf.Variable(b)
    losses = []
    for _ in range(n_steps):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((tf.matmul(x, W) + b - y_true) ** 2)
        losses.append(float(loss))
        dW, db = tape.gradient(loss, [W, b])
        W.assign_sub(learning_rate * dW)
        b.assign_sub(learning_rate * db)
    return W.numpy(), b.numpy(), losses
