"""Class activation maps from a global-average-pool + dense head: the exact identity and the shapes."""

import numpy as np

from convviz.model.cam import cam_from_head


def test_cam_mean_plus_bias_is_the_dense_score():
    """For random A (h, w, C) and a dense layer, mean(A @ w[c]) + b[c] equals w[c] . mean(A) + b[c]."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 7, 12)).astype(np.float32)
    w = rng.standard_normal((4, 12)).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    logits = w @ a.mean(axis=(0, 1)) + b
    for c in range(4):
        cam = cam_from_head(a, w, b, logits, np.full(4, 0.25), c, f"class {c}", size=(20, 28))
        assert abs(float(cam.coarse.mean(dtype=np.float64)) + cam.bias - float(logits[c])) < 1e-5


def test_cam_shapes_and_upsampling_keep_a_constant_map():
    """The coarse map has A's (h, w); the upsampled one has `size`; a constant map stays constant."""
    a = np.ones((2, 3, 4), np.float32)
    w = np.array([[0.5, 0.5, 0.5, 0.5]], np.float32)
    cam = cam_from_head(a, w, np.zeros(1, np.float32), np.array([2.0]), np.array([1.0]), 0, "only",
                        size=(9, 11))
    assert cam.coarse.shape == (2, 3) and cam.upsampled.shape == (9, 11)
    np.testing.assert_allclose(cam.upsampled, 2.0)
    assert (cam.class_index, cam.class_name, cam.logit, cam.probability) == (0, "only", 2.0, 1.0)
