// The course's kernel playground in the browser: notebook 09's playground without Python.
//
// Everything is computed here, in plain JavaScript, from the data file that
// site/playground/make_data.py writes from the helpers (course-data.js): the
// gallery kernels, the border modes' names and numpy.pad meanings, the
// displays, the course image. Nothing is fetched at run time, so the page
// works from file:// as well as from a web server.
//
// The arithmetic is exposed as window.courseConvolution, so a test can compare
// it with helpers.correlate2d (tests/test_site.py does, in headless Chromium):
//   courseConvolution.correlate2d(image, kernel, mode)  rows in, rows out ('same' size)
//   courseConvolution.patchAt(image, kernel, row, col, mode)  {pixels, products, total}
//   courseConvolution.display(values, how)  one of clip, absolute, offset, rescale
//   courseConvolution.parseEntry(text)  {value} or {error}
//   courseConvolution.syntheticImage(name, rows, cols)
(function () {
  "use strict";

  var DATA = window.COURSE_PLAYGROUND_DATA;
  if (!DATA) {
    throw new Error("course-data.js did not load: it must sit next to index.html");
  }
  var BORDER_MODES = DATA.borderModes; // helpers.BORDER_MODES: our name -> {numpy: numpy.pad's name, ...}

  // ------------------------------------------------------------------
  // The arithmetic

  // Where the pixel at index i (possibly outside 0..n-1) comes from, for numpy.pad's mode.
  // -1 means "the constant": numpy.pad's 'constant' with value 0.
  // These periodic forms equal numpy.pad's for any pad width, also wider than the image.
  function sourceIndex(i, n, numpyMode) {
    if (i >= 0 && i < n) return i;
    var m;
    switch (numpyMode) {
      case "constant":
        return -1;
      case "edge": // our 'nearest': a a a | a b c d | d d d
        return i < 0 ? 0 : n - 1;
      case "wrap": // a b c d | a b c d | a b c d
        return ((i % n) + n) % n;
      case "symmetric": // our 'reflect': d c b a | a b c d | d c b a (the edge pixel repeated)
        m = ((i % (2 * n)) + 2 * n) % (2 * n);
        return m < n ? m : 2 * n - 1 - m;
      case "reflect": // our 'mirror': d c b | a b c d | c b a (the edge pixel not repeated)
        if (n === 1) return 0;
        m = ((i % (2 * n - 2)) + 2 * n - 2) % (2 * n - 2);
        return m < n ? m : 2 * n - 2 - m;
      default:
        throw new Error("unknown numpy.pad mode " + numpyMode);
    }
  }

  function numpyModeOf(mode) {
    if (mode === undefined) mode = "constant";
    if (!Object.prototype.hasOwnProperty.call(BORDER_MODES, mode)) {
      throw new Error("unknown mode " + JSON.stringify(mode) + "; choose one of " + Object.keys(BORDER_MODES).join(", "));
    }
    return BORDER_MODES[mode].numpy;
  }

  function checkRows(rows, name) {
    if (!Array.isArray(rows) || rows.length === 0 || !Array.isArray(rows[0]) || rows[0].length === 0) {
      throw new Error(name + " must be a non-empty array of non-empty rows of numbers");
    }
    var width = rows[0].length;
    rows.forEach(function (row, r) {
      if (!Array.isArray(row) || row.length !== width) {
        throw new Error(name + " row " + r + " has " + (Array.isArray(row) ? row.length : "no") + " entries, row 0 has " + width);
      }
      row.forEach(function (value, c) {
        if (typeof value !== "number" || !isFinite(value)) {
          throw new Error(name + "[" + r + "][" + c + "] is " + String(value) + ", not a finite number");
        }
      });
    });
    return { rows: rows.length, cols: width };
  }

  // The helpers' 'same' padding: (k - 1) / 2 on each side for an odd kernel;
  // for an even one the extra row and column go at the bottom and right, as in TensorFlow.
  function before(k) {
    return Math.floor((k - 1) / 2);
  }

  // Cross-correlation with 'same' output size: out[y][x] = sum over u, v of
  // kernel[u][v] * padded[y + u][x + v], the kernel not flipped (helpers.correlate2d).
  function correlate2d(image, kernel, mode) {
    var numpyMode = numpyModeOf(mode);
    var size = checkRows(image, "image");
    var ksize = checkRows(kernel, "kernel");
    var top = before(ksize.rows), left = before(ksize.cols);
    var rowsFrom = [], colsFrom = [];
    var u, v, y, x;
    for (y = -top; y < size.rows + ksize.rows; y++) rowsFrom[y + top] = sourceIndex(y, size.rows, numpyMode);
    for (x = -left; x < size.cols + ksize.cols; x++) colsFrom[x + left] = sourceIndex(x, size.cols, numpyMode);
    var out = [];
    for (y = 0; y < size.rows; y++) {
      var line = new Array(size.cols);
      for (x = 0; x < size.cols; x++) {
        var total = 0;
        for (u = 0; u < ksize.rows; u++) {
          var r = rowsFrom[y + u];
          if (r < 0) continue;
          var imageRow = image[r], kernelRow = kernel[u];
          for (v = 0; v < ksize.cols; v++) {
            var c = colsFrom[x + v];
            if (c >= 0) total += kernelRow[v] * imageRow[c];
          }
        }
        line[x] = total;
      }
      out.push(line);
    }
    return out;
  }

  // The patch correlate2d multiplies by the kernel at (row, col), the products and their sum
  // (helpers.playground.patch_at): the padded pixels the chosen border mode puts there.
  function patchAt(image, kernel, row, col, mode) {
    var numpyMode = numpyModeOf(mode);
    var size = checkRows(image, "image");
    var ksize = checkRows(kernel, "kernel");
    if (!(Number.isInteger(row) && row >= 0 && row < size.rows)) throw new Error("row must be an integer from 0 to " + (size.rows - 1));
    if (!(Number.isInteger(col) && col >= 0 && col < size.cols)) throw new Error("col must be an integer from 0 to " + (size.cols - 1));
    var top = before(ksize.rows), left = before(ksize.cols);
    var pixels = [], products = [], total = 0;
    for (var u = 0; u < ksize.rows; u++) {
      var r = sourceIndex(row - top + u, size.rows, numpyMode);
      var pixelLine = [], productLine = [];
      for (var v = 0; v < ksize.cols; v++) {
        var c = sourceIndex(col - left + v, size.cols, numpyMode);
        var pixel = r < 0 || c < 0 ? 0 : image[r][c];
        pixelLine.push(pixel);
        productLine.push(pixel * kernel[u][v]);
        total += pixel * kernel[u][v];
      }
      pixels.push(pixelLine);
      products.push(productLine);
    }
    return { row: row, col: col, pixels: pixels, kernel: kernel, products: products, total: total };
  }

  function clip(value) {
    return value < 0 ? 0 : value > 255 ? 255 : value;
  }

  // The four ways to draw a signed output on 0-255 (helpers.playground.display).
  function display(values, how) {
    if (!Object.prototype.hasOwnProperty.call(DATA.displayModes, how)) {
      throw new Error("unknown display " + JSON.stringify(how) + "; choose one of " + Object.keys(DATA.displayModes).join(", "));
    }
    checkRows(values, "values");
    if (how === "clip") return values.map(function (row) { return row.map(clip); });
    if (how === "absolute") return values.map(function (row) { return row.map(function (v) { return clip(Math.abs(v)); }); });
    if (how === "offset") return values.map(function (row) { return row.map(function (v) { return clip(128 + v); }); });
    var low = Infinity, high = -Infinity;
    values.forEach(function (row) {
      row.forEach(function (v) {
        if (v < low) low = v;
        if (v > high) high = v;
      });
    });
    if (high === low) return values.map(function (row) { return row.map(function () { return 127.5; }); });
    return values.map(function (row) { return row.map(function (v) { return (255 * (v - low)) / (high - low); }); });
  }

  // The synthetic images of helpers.playground.synthetic_image: 0 and 255 only.
  function syntheticImage(name, rows, cols) {
    var radius = Math.min(rows, cols) / 4;
    var out = [];
    for (var r = 0; r < rows; r++) {
      var line = [];
      for (var c = 0; c < cols; c++) {
        var white;
        if (name === "step") white = c >= Math.floor(cols / 2);
        else if (name === "disk") white = Math.pow(r - (rows - 1) / 2, 2) + Math.pow(c - (cols - 1) / 2, 2) <= radius * radius;
        else if (name === "checkerboard") white = (Math.floor(r / 8) + Math.floor(c / 8)) % 2 === 1;
        else throw new Error("no synthetic image named " + JSON.stringify(name));
        line.push(white ? 255 : 0);
      }
      out.push(line);
    }
    return out;
  }

  function courseImage() {
    var info = DATA.image;
    var bytes = atob(info.base64.replace(/\s/g, ""));
    if (bytes.length !== info.rows * info.cols) throw new Error("course-data.js: the image has the wrong number of pixels");
    var out = [];
    for (var r = 0; r < info.rows; r++) {
      var line = new Array(info.cols);
      for (var c = 0; c < info.cols; c++) line[c] = bytes.charCodeAt(r * info.cols + c);
      out.push(line);
    }
    return out;
  }

  // A kernel entry as typed: a number (1, -0.5, .25, 2e-1) or a fraction of two numbers (1/9, -1/16).
  var NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

  function parseEntry(text) {
    var typed = String(text).trim();
    if (typed === "") return { error: "is empty (type 0 for no weight)" };
    var parts = typed.split("/");
    if (parts.length > 2 || !parts.every(function (p) { return NUMBER.test(p.trim()); })) {
      var hint = /^[+-]?\d*,\d+$/.test(typed) ? " (write decimals with a dot: " + typed.replace(",", ".") + ")" : "";
      return { error: "is not a number" + hint + "; type a number such as -0.5 or 2e-1, or a fraction such as 1/9" };
    }
    var value = Number(parts[0].trim());
    if (parts.length === 2) {
      var divisor = Number(parts[1].trim());
      if (divisor === 0) return { error: "divides by zero" };
      value = value / divisor;
    }
    if (!isFinite(value)) return { error: "is too large for a 64-bit float (beyond about 1.8e308)" };
    return { value: value };
  }

  // How a weight is written into a cell: a short decimal, or a fraction when that is shorter
  // and reads back as exactly the same number (box_blur shows 1/9, not 0.1111111111111111).
  function formatWeight(value) {
    var plain = String(value);
    if (plain.length <= 7) return plain;
    for (var d = 2; d <= 1024; d++) {
      var n = Math.round(value * d);
      if (n / d === value) return n + "/" + d;
    }
    return plain;
  }

  // Numbers in the patch tables: whole numbers as they are, others to 3 significant digits.
  function formatNumber(value) {
    var v = value + 0; // -0 -> 0
    if (Object.is(v, -0)) v = 0;
    if (v === Math.round(v) && Math.abs(v) < 1e15) return String(v);
    var text = v.toPrecision(3);
    if (text.indexOf("e") < 0 && text.indexOf(".") >= 0) text = text.replace(/0+$/, "").replace(/\.$/, "");
    return text;
  }

  window.courseConvolution = {
    correlate2d: correlate2d,
    patchAt: patchAt,
    display: display,
    parseEntry: parseEntry,
    formatWeight: formatWeight,
    formatNumber: formatNumber,
    syntheticImage: syntheticImage,
    borderModes: Object.keys(BORDER_MODES),
    displayModes: Object.keys(DATA.displayModes),
  };

  // ------------------------------------------------------------------
  // The page

  function $(id) {
    return document.getElementById(id);
  }

  var images = {};
  DATA.synthetic.names.forEach(function (name) {
    images[name] = syntheticImage(name, DATA.synthetic.rows, DATA.synthetic.cols);
  });
  images[DATA.image.name] = courseImage();
  var kernels = {};
  DATA.kernels.forEach(function (k) {
    kernels[k.name] = k;
  });

  var state = {
    kernelName: "sobel_x",
    size: 3,
    image: "disk",
    mode: "constant",
    display: "offset",
    row: 32,
    col: 16,
    kernel: null, // the last valid kernel
    output: null,
  };
  var cells = []; // 5 x 5 inputs; a 3x3 kernel uses the inner 3x3, as in notebook 09

  function inUse(r, c) {
    return state.size === 5 || (r >= 1 && r <= 3 && c >= 1 && c <= 3);
  }

  function option(select, value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label || value;
    select.appendChild(o);
  }

  function buildControls() {
    var kernelMenu = $("kernel-menu");
    DATA.kernels.forEach(function (k) {
      option(kernelMenu, k.name, k.name + " (" + k.rows + "x" + k.cols + ")");
    });
    option(kernelMenu, "custom", "custom (your own)");
    var imageMenu = $("image-menu");
    DATA.synthetic.names.forEach(function (name) {
      option(imageMenu, name, name + " (" + DATA.synthetic.rows + " x " + DATA.synthetic.cols + ")");
    });
    option(imageMenu, DATA.image.name, "course image (" + DATA.image.rows + " x " + DATA.image.cols + ")");
    var modeMenu = $("mode-menu");
    Object.keys(BORDER_MODES).forEach(function (name) {
      option(modeMenu, name);
    });
    var displays = $("display-choices");
    Object.keys(DATA.displayModes).forEach(function (name) {
      var label = document.createElement("label");
      var radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "display";
      radio.value = name;
      radio.id = "display-" + name;
      label.appendChild(radio);
      label.appendChild(document.createTextNode(" " + name));
      label.title = DATA.displayModes[name];
      displays.appendChild(label);
    });
    var grid = $("kernel-grid");
    for (var r = 0; r < 5; r++) {
      var line = [];
      for (var c = 0; c < 5; c++) {
        var input = document.createElement("input");
        input.type = "text";
        input.inputMode = "text";
        input.autocomplete = "off";
        input.spellcheck = false;
        input.className = "cell";
        input.dataset.row = r;
        input.dataset.col = c;
        input.addEventListener("input", onCellEdit);
        grid.appendChild(input);
        line.push(input);
      }
      cells.push(line);
    }

    kernelMenu.addEventListener("change", function () {
      if (kernelMenu.value !== "custom") loadKernel(kernelMenu.value);
      else state.kernelName = "custom";
      update();
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[name=size]"), function (radio) {
      radio.addEventListener("change", function () {
        state.size = Number(radio.value);
        state.kernelName = "custom";
        $("kernel-menu").value = "custom";
        showCells();
        update();
      });
    });
    imageMenu.addEventListener("change", function () {
      var before = images[state.image];
      state.image = imageMenu.value;
      var now = images[state.image];
      // keep the pixel at the same place relative to the image, not in a corner
      state.row = Math.min(now.length - 1, Math.floor(((state.row + 0.5) / before.length) * now.length));
      state.col = Math.min(now[0].length - 1, Math.floor(((state.col + 0.5) / before[0].length) * now[0].length));
      update();
    });
    modeMenu.addEventListener("change", function () {
      state.mode = modeMenu.value;
      update();
    });
    Array.prototype.forEach.call(document.querySelectorAll("input[name=display]"), function (radio) {
      radio.addEventListener("change", function () {
        state.display = radio.value;
        update();
      });
    });
    ["row", "col"].forEach(function (key) {
      $("pixel-" + key).addEventListener("change", function () {
        var limit = key === "row" ? images[state.image].length : images[state.image][0].length;
        var value = Math.round(Number($("pixel-" + key).value));
        if (isFinite(value)) state[key] = Math.max(0, Math.min(limit - 1, value));
        update();
      });
    });
    [$("input-canvas"), $("output-canvas")].forEach(function (canvas) {
      canvas.addEventListener("click", function (event) {
        var box = canvas.getBoundingClientRect();
        var image = images[state.image];
        var col = Math.floor(((event.clientX - box.left) / box.width) * image[0].length);
        var row = Math.floor(((event.clientY - box.top) / box.height) * image.length);
        state.row = Math.max(0, Math.min(image.length - 1, row));
        state.col = Math.max(0, Math.min(image[0].length - 1, col));
        update();
      });
    });
  }

  function showCells() {
    for (var r = 0; r < 5; r++) {
      for (var c = 0; c < 5; c++) {
        cells[r][c].hidden = !inUse(r, c);
        cells[r][c].setAttribute("aria-label", "kernel row " + (state.size === 5 ? r + 1 : r) + ", column " + (state.size === 5 ? c + 1 : c));
      }
    }
    document.querySelector("input[name=size][value='" + state.size + "']").checked = true;
  }

  function loadKernel(name) {
    var k = kernels[name];
    state.kernelName = name;
    state.size = k.rows;
    var first = (5 - k.rows) / 2;
    for (var r = 0; r < 5; r++) {
      for (var c = 0; c < 5; c++) {
        var inside = r >= first && r < first + k.rows && c >= first && c < first + k.cols;
        var value = inside ? k.values[r - first][c - first] : 0;
        cells[r][c].value = formatWeight(value);
      }
    }
    showCells();
  }

  function onCellEdit() {
    if (state.kernelName !== "custom") {
      state.kernelName = "custom";
      $("kernel-menu").value = "custom";
    }
    update();
  }

  // The kernel in the grid, or the list of entries that are not numbers.
  function readKernel() {
    var kernel = [], problems = [];
    for (var r = 0; r < 5; r++) {
      var line = [];
      for (var c = 0; c < 5; c++) {
        if (!inUse(r, c)) continue;
        var parsed = parseEntry(cells[r][c].value);
        // counted from 1 at the top left, as notebook 09's messages count
        var row = state.size === 5 ? r + 1 : r, col = state.size === 5 ? c + 1 : c;
        cells[r][c].setAttribute("aria-invalid", parsed.error ? "true" : "false");
        if (parsed.error) problems.push("row " + row + ", column " + col + " (from the top left): " + JSON.stringify(cells[r][c].value) + " " + parsed.error);
        line.push(parsed.value);
      }
      if (line.length) kernel.push(line);
    }
    return { kernel: kernel, problems: problems };
  }

  function scaleFor(image) {
    return Math.max(2, Math.ceil(900 / Math.max(image.length, image[0].length)));
  }

  function drawGray(canvas, values, scale, outline) {
    var rows = values.length, cols = values[0].length;
    var small = document.createElement("canvas");
    small.width = cols;
    small.height = rows;
    var context = small.getContext("2d");
    var pixels = context.createImageData(cols, rows);
    for (var r = 0; r < rows; r++) {
      for (var c = 0; c < cols; c++) {
        var g = Math.round(values[r][c]);
        var i = 4 * (r * cols + c);
        pixels.data[i] = pixels.data[i + 1] = pixels.data[i + 2] = g;
        pixels.data[i + 3] = 255;
      }
    }
    context.putImageData(pixels, 0, 0);
    canvas.width = cols * scale;
    canvas.height = rows * scale;
    var big = canvas.getContext("2d");
    big.imageSmoothingEnabled = false;
    big.drawImage(small, 0, 0, cols * scale, rows * scale);
    // the outline in two colours, so it shows on black, white and a photograph alike
    var x = outline.col * scale, y = outline.row * scale, w = outline.cols * scale, h = outline.rows * scale;
    var thick = Math.max(2, Math.round(scale / 3));
    big.lineWidth = thick + 2;
    big.strokeStyle = "#ffffff";
    big.strokeRect(x - 1, y - 1, w + 2, h + 2);
    big.lineWidth = thick;
    big.strokeStyle = "#e0001b";
    big.strokeRect(x - 1, y - 1, w + 2, h + 2);
    // a small outline on a big image is hard to find: ring it as well
    if (Math.max(w, h) < canvas.width / 40) {
      var radius = Math.max(w, h) / 2 + canvas.width / 30;
      [["#ffffff", thick + 2], ["#e0001b", thick]].forEach(function (stroke) {
        big.beginPath();
        big.strokeStyle = stroke[0];
        big.lineWidth = stroke[1];
        big.arc(x + w / 2, y + h / 2, radius, 0, 2 * Math.PI);
        big.stroke();
      });
    }
  }

  function cellColour(value, limit) {
    var t = Math.min(1, Math.abs(value) / limit);
    var light = 97 - 30 * t;
    return value > 0 ? "hsl(8, 80%, " + light + "%)" : value < 0 ? "hsl(215, 80%, " + light + "%)" : "hsl(0, 0%, 97%)";
  }

  function drawTable(id, values, title) {
    var box = $(id);
    box.textContent = "";
    var caption = document.createElement("div");
    caption.className = "table-title";
    caption.textContent = title;
    box.appendChild(caption);
    var limit = 1e-12;
    values.forEach(function (row) {
      row.forEach(function (v) {
        limit = Math.max(limit, Math.abs(v));
      });
    });
    var grid = document.createElement("div");
    grid.className = "numbers";
    grid.style.gridTemplateColumns = "repeat(" + values[0].length + ", auto)";
    values.forEach(function (row, r) {
      row.forEach(function (v, c) {
        var cell = document.createElement("span");
        cell.textContent = formatNumber(v);
        cell.title = String(v);
        cell.dataset.value = String(v); // the full number, for the tests and for reading
        cell.dataset.row = r;
        cell.dataset.col = c;
        cell.style.background = cellColour(v, limit);
        grid.appendChild(cell);
      });
    });
    box.appendChild(grid);
  }

  function range(values) {
    var low = Infinity, high = -Infinity;
    values.forEach(function (row) {
      row.forEach(function (v) {
        if (v < low) low = v;
        if (v > high) high = v;
      });
    });
    return [low, high];
  }

  function update() {
    var image = images[state.image];
    state.row = Math.min(state.row, image.length - 1);
    state.col = Math.min(state.col, image[0].length - 1);
    $("kernel-menu").value = state.kernelName;
    $("image-menu").value = state.image;
    $("mode-menu").value = state.mode;
    $("display-" + state.display).checked = true;
    $("mode-diagram").textContent = state.mode + " extends a b c d as " + BORDER_MODES[state.mode].diagram + " (numpy.pad's '" + BORDER_MODES[state.mode].numpy + "')";
    $("pixel-row").max = image.length - 1;
    $("pixel-col").max = image[0].length - 1;
    $("pixel-row").value = state.row;
    $("pixel-col").value = state.col;
    var description = state.kernelName === "custom" ? "your own kernel: edit any cell" : kernels[state.kernelName].description;
    $("kernel-description").textContent = description;

    var read = readKernel();
    var message = $("kernel-message");
    var figures = $("figures");
    if (read.problems.length) {
      message.textContent = "Not drawn: kernel " + read.problems.join("; ") + ".";
      message.className = "message error";
      figures.classList.add("stale");
      return;
    }
    var output = correlate2d(image, read.kernel, state.mode);
    var bounds = range(output);
    if (!isFinite(bounds[0]) || !isFinite(bounds[1])) {
      message.textContent = "Not drawn: with these weights the output leaves the range of 64-bit floats (beyond about 1.8e308); use smaller weights.";
      message.className = "message error";
      figures.classList.add("stale");
      return;
    }
    message.textContent = "";
    message.className = "message";
    figures.classList.remove("stale");
    state.kernel = read.kernel;
    state.output = output;

    var kh = read.kernel.length, kw = read.kernel[0].length;
    var scale = scaleFor(image);
    drawGray($("input-canvas"), image, scale, { row: state.row - before(kh), col: state.col - before(kw), rows: kh, cols: kw });
    var shown = display(output, state.display);
    drawGray($("output-canvas"), shown, scale, { row: state.row, col: state.col, rows: 1, cols: 1 });
    var name = state.kernelName + " (" + kh + "x" + kw + ")";
    $("input-title").textContent = "input: " + state.image + " (" + image.length + " x " + image[0].length + "), the patch outlined";
    $("output-title").textContent = name + ", mode=" + state.mode + ", " + DATA.displayModes[state.display];
    $("input-canvas").setAttribute("aria-label", "The input image, " + state.image + ", with the kernel's patch at row " + state.row + ", column " + state.col + " outlined.");
    $("output-canvas").setAttribute("aria-label", "The output of " + name + " drawn " + DATA.displayModes[state.display] + ", the pixel at row " + state.row + ", column " + state.col + " outlined.");
    $("colour-bar").hidden = state.display !== "offset";

    var patch = patchAt(image, read.kernel, state.row, state.col, state.mode);
    drawTable("table-pixels", patch.pixels, "patch at (row " + state.row + ", col " + state.col + ")");
    drawTable("table-kernel", read.kernel, "kernel " + state.kernelName);
    drawTable("table-products", patch.products, "patch × kernel, cell by cell");
    drawTable("table-total", [[patch.total]], "sum of the products");
    $("summary").textContent =
      name + " on " + state.image + ", mode=" + state.mode + ": output from " + bounds[0].toFixed(1) + " to " + bounds[1].toFixed(1) +
      "; at (row " + state.row + ", col " + state.col + ") the products add up to " + patch.total.toFixed(1) +
      " (the output there: " + output[state.row][state.col].toFixed(1) + ")";
    document.body.dataset.ready = "true";
  }

  function start() {
    buildControls();
    loadKernel(state.kernelName);
    update();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
