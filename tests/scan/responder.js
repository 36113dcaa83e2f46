// responder.js: tiny loopback HTTP servers for leakguard scan's tests and
// benchmark. Usage: node responder.js MODE PORTFILE [LOG]
//   stall     accept connections, never answer
//   record    answer 404 ContainerNotFound (Azure's XML error), logging
//             "METHOD URL" lines to LOG
//   throttle  answer 503 ServerBusy twice per path, then a one-blob listing
//   list      answer every request with a fixed small EnumerationResults
//   redirect  answer 301 PermanentRedirect (S3's XML error, no Location
//             header) naming LOG as the bucket's endpoint (host:port;
//             "self" for its own); logs nothing
//   s3open    an S3 bucket anyone can list: a ListBucketResult naming
//             customers.csv, whose GET answers a small CSV of a fake
//             person; with LOG a number of milliseconds, the object GET
//             waits that long first (for the symlinked-sample attack)
// Listens on 127.0.0.1, an ephemeral port written to PORTFILE.
'use strict';
const http = require('http');
const net = require('net');
const fs = require('fs');

const [mode, portfile, log] = process.argv.slice(2);
const notFound = '<?xml version="1.0" encoding="utf-8"?><Error><Code>ContainerNotFound</Code><Message>The specified container does not exist.</Message></Error>';
const listing = '<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="c"><Blobs><Blob><Name>a.txt</Name><Properties><Content-Length>10</Content-Length></Properties></Blob></Blobs><NextMarker/></EnumerationResults>';
const s3listing = '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>b</Name><KeyCount>1</KeyCount><IsTruncated>false</IsTruncated><Contents><Key>customers.csv</Key><Size>80</Size></Contents></ListBucketResult>';
const s3object = 'name,email\nSam Sample,sam.sample@redirected.example\n';
let server;
if (mode === 'stall') {
	const held = [];
	server = net.createServer((s) => held.push(s));
} else {
	const seen = new Map();
	server = http.createServer((req, res) => {
		if (log && mode !== 'redirect' && mode !== 's3open') fs.appendFileSync(log, `${req.method} ${req.url}\n`);
		if (mode === 'redirect') {
			res.writeHead(301, { 'content-type': 'application/xml' });
			res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>PermanentRedirect</Code><Message>The bucket you are attempting to access must be addressed using the specified endpoint.</Message><Endpoint>${log === 'self' ? `127.0.0.1:${server.address().port}` : log}</Endpoint><Bucket>b</Bucket></Error>`);
		} else if (mode === 's3open') {
			if (req.url.includes('list-type=2')) {
				res.writeHead(200, { 'content-type': 'application/xml' });
				res.end(s3listing);
			} else {
				setTimeout(() => {
					res.writeHead(req.headers.range ? 206 : 200, { 'content-type': 'text/csv' });
					res.end(s3object);
				}, Number(log) || 0);
			}
		} else if (mode === 'record') {
			res.writeHead(404, { 'x-ms-error-code': 'ContainerNotFound', 'content-type': 'application/xml' });
			res.end(notFound);
		} else if (mode === 'throttle') {
			const k = req.url.split('?')[0];
			const n = (seen.get(k) || 0) + 1;
			seen.set(k, n);
			if (n <= 2) {
				res.writeHead(503, { 'x-ms-error-code': 'ServerBusy', 'retry-after': '0' });
				res.end('<?xml version="1.0"?><Error><Code>ServerBusy</Code></Error>');
			} else if (req.url.includes('comp=list')) {
				res.writeHead(200, { 'content-type': 'application/xml' });
				res.end(listing);
			} else {
				res.writeHead(206, { 'content-type': 'text/plain' });
				res.end('mail x@example.org');
			}
		} else {
			res.writeHead(200, { 'content-type': 'application/xml' });
			res.end(listing);
		}
	});
	server.keepAliveTimeout = 60000;
}
server.listen(0, '127.0.0.1', () => fs.writeFileSync(portfile, String(server.address().port)));
