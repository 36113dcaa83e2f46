// seed.js: fills an Azurite blob service with containers of each public
// access level holding fake personal data, for leakguard scan's tests.
// Usage: node tests/scan/seed.js http://127.0.0.1:PORT [MANY]
//   MANY: how many objects the "many" container gets (default 2500; the
//   listing pages at 5000 per request unless --page-size is smaller).
// Uses the well-known devstoreaccount1 key published in Azurite's README.
'use strict';
const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');

const base = process.argv[2];
const many = parseInt(process.argv[3] || '2500', 10);
const account = 'devstoreaccount1';
const key = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const svc = new BlobServiceClient(`${base}/${account}`, new StorageSharedKeyCredential(account, key));

// Fake people: names, addresses and numbers that belong to no one.
function people(n, org) {
	const first = ['Alice', 'Bruno', 'Chloe', 'Dmitri', 'Elena', 'Farid', 'Greta', 'Hiro', 'Ines', 'Jonas'];
	const last = ['Archer', 'Brandt', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'Garcia', 'Huber', 'Ivanova', 'Jansen'];
	let s = 'name,email,phone,company\n';
	for (let i = 0; i < n; i++) {
		const f = first[i % 10], l = last[Math.floor(i / 10) % 10];
		s += `${f} ${l},${f.toLowerCase()}.${l.toLowerCase()}${i}@${org}.example,+49 30 ${5550000 + i},Contoso Trading GmbH\n`;
	}
	return s;
}

async function container(name, access, blobs) {
	const c = svc.getContainerClient(name);
	await c.createIfNotExists(access ? { access } : {});
	for (const [bname, body] of blobs) {
		await c.getBlockBlobClient(bname).upload(body, Buffer.byteLength(body));
	}
}

async function main() {
	// public-list: 10 people per file, several files of different types
	await container('invoices', 'container', [
		['customers.csv', people(40, 'contoso')],
		['2024/invoice-0001.txt', 'Invoice for Greta Huber, greta.huber@fabrikam.example, phone +44 20 7946 0958\n'],
		['logo.png', 'x'.repeat(300)],
		['big-export.csv', people(200, 'fabrikam')],
	]);
	// public-blob: readable by name (one of the names the scanner probes)
	await container('files', 'blob', [['contacts.csv', people(12, 'woodgrove')]]);
	// private
	await container('payroll', null, [['payroll.csv', people(30, 'contoso')]]);
	// $web (static website) with a listing-level access
	await container('$web', 'container', [['index.html', '<html>Contact: web@contoso.example</html>']]);
	// many small objects, for paging
	const m = svc.getContainerClient('many');
	await m.createIfNotExists({ access: 'container' });
	const todo = [];
	for (let i = 0; i < many; i++) todo.push(`obj/${String(i).padStart(6, '0')}.dat`);
	const par = 32;
	for (let i = 0; i < todo.length; i += par) {
		await Promise.all(todo.slice(i, i + par).map((b) => m.getBlockBlobClient(b).upload('0123456789', 10)));
	}
	console.log('seeded');
}

main().catch((e) => {
	console.error(e);
	process.exit(1);
});
